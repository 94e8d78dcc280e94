import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import type { Feedback } from '../../api/message';
import { parametersOf } from '../../boundaries/parameters';
import { concurrencyOption, sortedOptions } from '../descriptions';
import { byConversationId, itemsInParallel } from '../parallelism';
import { length, messageConversationIdField, messageIdField, messageIdsOf } from '../message/common';

/** Coze's limits (message_feedback.md): at most 10 reasons of at most 30 characters, a comment of at most 250. */
export const FEEDBACK_LIMITS = { reasons: 10, reasonLength: 30, commentLength: 250 };

const properties: INodeProperties[] = [
	{ ...messageConversationIdField, description: 'The conversation of the rated answer (conversation_id in Send Message\'s output)' },
	{
		...messageIdField,
		description:
			'The bot\'s answer to rate (a message of type answer): answer_message_id in Send Message\'s output, or its ID in Chat → List Messages with Simplify off',
	},
	{
		displayName: 'Feedback',
		name: 'feedbackType',
		type: 'options',
		options: [
			{ name: 'Like', value: 'like', description: 'Thumbs up' },
			{ name: 'Unlike', value: 'unlike', description: 'Thumbs down' },
		],
		default: 'like',
		description: 'Like or unlike. An expression may give like or unlike.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([
			{
				displayName: 'Reasons',
				name: 'reasons',
				type: 'string',
				default: '',
				placeholder: 'e.g. Wrong facts, Too short',
				description: 'Comma-separated labels for why (or an array from an expression): at most 10, each at most 30 characters',
			},
			{
				displayName: 'Comment',
				name: 'comment',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				description: 'The user\'s comment, at most 250 characters',
			},
			{ ...concurrencyOption, description: 'How many items to send at once; items of one conversation still go one after another, in input order' },
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['feedback'], operation: ['submit'] } }, properties);

export const parallelism = itemsInParallel(byConversationId);

/** Submits a like or unlike (a second one on the same answer replaces the first). */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const ids = messageIdsOf(parameters);
	const feedback: Feedback = { feedback_type: parameters.choice('feedbackType', 'Feedback', ['like', 'unlike'], 'like') };
	const reasons = parameters.list('options.reasons', 'Options → Reasons');
	if (reasons.length > FEEDBACK_LIMITS.reasons) {
		parameters.fail(`Options → Reasons: ${reasons.length} reasons, Coze takes at most ${FEEDBACK_LIMITS.reasons}`);
	}
	const tooLong = reasons.find((reason) => length(reason) > FEEDBACK_LIMITS.reasonLength);
	if (tooLong !== undefined) {
		parameters.fail(`Options → Reasons: '${tooLong}' has ${length(tooLong)} characters, Coze takes at most ${FEEDBACK_LIMITS.reasonLength} per reason`);
	}
	if (reasons.length > 0) feedback.reason_types = reasons;
	const comment = parameters.text('options.comment', 'Options → Comment');
	if (length(comment) > FEEDBACK_LIMITS.commentLength) {
		parameters.fail(`Options → Comment has ${length(comment)} characters, Coze takes at most ${FEEDBACK_LIMITS.commentLength}`);
	}
	if (comment !== '') feedback.comment = comment;
	await coze.messages.submitFeedback(ids, feedback);
	const json: IDataObject = { conversation_id: ids.conversationId, message_id: ids.messageId, ...feedback };
	return [{ json, pairedItem: { item: itemIndex } }];
}
