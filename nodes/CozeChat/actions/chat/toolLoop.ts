/**
 * Send Message with n8n tools connected: when the bot stops in `requires_action` for its
 * client-side plugins, each requested call is answered by the connected n8n tool of that name, the
 * outputs are submitted, and the continuation is streamed and aggregated like any turn — round after
 * round, until the bot answers or a limit is reached. One item, one chat, the whole turn.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ChatResult, ChatUsage, RequiredToolCall, ToolCall } from '../../core/chatAggregator';
import { liveStreamCorrection } from '../../core/chatAggregator';
import { reportedToolFailure, resolveToolName, toolErrorOutput, toolMarker, toolOutputText } from '../../core/clientTools';
import { CozeApiError, TransportError, unsupportedByServer } from '../../core/errors';
import { CLIENT_TOOLS_ENDPOINT, submitToolOutputsRequest, type ChatTurnRequest } from '../../api/chat';
import type { CozeClient } from '../../api/client';
import type { ItemParameters, NumberRule } from '../../boundaries/parameters';
import { executionHint, withLiveText, type LiveText } from '../../boundaries/output';
import { connectedTools, hasToolsInput, type ClientTool } from '../../boundaries/tools';
import { runChat, type RunChatOptions } from './runChat';

export interface ToolLoopOptions {
	/** Rounds of tool calls answered at most; 0 = no limit (the item's Timeout still applies). */
	maxRounds: number;
	/** Coze tool name → n8n tool name, for tools whose names differ. */
	mapping: Record<string, string>;
	/** What to do with calls no tool can answer: fail the item, or output them unanswered. */
	onUnanswered: 'fail' | 'return';
	/** A tool that fails: its call is left unanswered ('fail'), or its error is the call's output ('bot'). */
	onToolError: 'fail' | 'bot';
	/** Written to a live stream before each round's tools run ('' = nothing); `{tool}` = their names. */
	marker: string;
}

/** Options → Max Tool Calls Iterations (15, like n8n's own vendor nodes). */
export const TOOL_ROUNDS_RULE: NumberRule = { default: 15, min: 0, integer: true, minNote: '0 means no limit' };

const DEFAULT_MARKER = '_Calling {tool}…_';

/** Send Message's options for the Tools input. */
export const toolLoopOptions: INodeProperties[] = [
	{
		displayName: 'Max Tool Calls Iterations',
		name: 'maxToolsIterations',
		type: 'number',
		default: 15,
		typeOptions: { minValue: 0, numberPrecision: 0 },
		description:
			'With n8n tools connected: how many times the bot may stop for client-side plugin calls in one turn (one round can hold several calls). 0 means no limit; the Timeout still applies.',
	},
	{
		displayName: 'Tool Name Mapping',
		name: 'toolNameMapping',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		description:
			'With n8n tools connected: which n8n tool answers a Coze plugin whose name differs. Without a mapping the names are matched ignoring case, spaces and punctuation.',
		options: [
			{
				displayName: 'Mapping',
				name: 'entries',
				values: [
					{
						displayName: 'Coze Tool Name',
						name: 'cozeName',
						type: 'string',
						default: '',
						placeholder: 'e.g. get_rain_probability',
						description: 'The name in required_action.tool_calls (the plugin\'s tool, without ts-…-)',
					},
					{
						displayName: 'Connected Tool Name',
						name: 'n8nTool',
						type: 'string',
						default: '',
						placeholder: 'e.g. Rain Forecast',
						description: 'The name of the tool node connected to Tools',
					},
				],
			},
		],
	},
	{
		displayName: 'On Tool Error',
		name: 'onToolError',
		type: 'options',
		default: 'fail',
		description:
			'With n8n tools connected: what happens when a tool fails, whether it throws or returns its error as text (n8n tool nodes answer "There was an error: …")',
		options: [
			{
				name: 'Fail the Item',
				value: 'fail',
				description:
					'The call stays unanswered: the item fails naming the tool, its node and its error (or, with Unanswered Tool Calls set to Return Them, the waiting turn is output)',
			},
			{
				name: 'Let the Bot Handle It',
				value: 'bot',
				description: 'The error text is sent to Coze as the tool\'s output and the turn goes on; the call\'s error field holds it',
			},
		],
	},
	{
		displayName: 'Unanswered Tool Calls',
		name: 'unansweredToolCalls',
		type: 'options',
		default: 'fail',
		description:
			'With n8n tools connected: what happens when a requested tool is not connected, its name fits several tools, Max Tool Calls Iterations is reached, or a tool fails with On Tool Error set to Fail the Item',
		options: [
			{ name: 'Fail the Item', value: 'fail', description: 'The item fails with an error naming the tool' },
			{
				name: 'Return Them',
				value: 'return',
				description: 'Output the turn still waiting (status requires_action), with the reason in unanswered',
			},
		],
	},
	{
		displayName: 'Tool Call Marker',
		name: 'toolCallMarker',
		type: 'string',
		default: DEFAULT_MARKER,
		description:
			'With n8n tools connected and the answer streamed to a Chat Trigger or Webhook: the line shown while tools run; {tool} is replaced by their names. Empty shows nothing.',
	},
];

/** Reads the tool options of Send Message. */
export function toolLoopOptionsOf(parameters: ItemParameters): ToolLoopOptions {
	const mapping: Record<string, string> = {};
	for (const entry of parameters.entries('options.toolNameMapping', 'Options → Tool Name Mapping')) {
		const cozeName = String(entry.cozeName ?? '').trim();
		const n8nTool = String(entry.n8nTool ?? '').trim();
		if (cozeName === '' && n8nTool === '') continue;
		if (cozeName === '' || n8nTool === '') {
			parameters.fail('Options → Tool Name Mapping: each mapping needs both a Coze Tool Name and a Connected Tool Name');
		}
		mapping[cozeName] = n8nTool;
	}
	return {
		maxRounds: parameters.number('options.maxToolsIterations', 'Options → Max Tool Calls Iterations', TOOL_ROUNDS_RULE),
		mapping,
		onUnanswered: parameters.choice('options.unansweredToolCalls', 'Options → Unanswered Tool Calls', ['fail', 'return'], 'fail'),
		onToolError: parameters.choice('options.onToolError', 'Options → On Tool Error', ['fail', 'bot'], 'fail'),
		marker: parameters.text('options.toolCallMarker', 'Options → Tool Call Marker', { default: DEFAULT_MARKER, keepSpaces: true }),
	};
}

/** A client-side call the node answered with an n8n tool. */
export interface AnsweredToolCall extends Omit<ToolCall, 'plugin_id'> {
	id: string;
	client_side: true;
	/** The n8n tool that answered, and its node. */
	n8n_tool: string;
	n8n_node: string;
	duration_ms: number;
	/** 1 for the first requires_action of the turn, 2 for the next, … */
	round: number;
	/** The tool's error, when it failed and On Tool Error let the bot handle it (`output` is the text Coze got). */
	error?: string;
}

export type ToolTurnResult = Omit<ChatResult, 'tool_calls'> & {
	tool_calls: Array<ToolCall | AnsweredToolCall>;
	/** Rounds of client-side tool calls the node answered (only when it answered some). */
	tool_rounds?: number;
	/** Why the turn still waits for tool outputs (Unanswered Tool Calls: Return Them). */
	unanswered?: { reason: 'no_tools_connected' | 'unknown_tool' | 'ambiguous_tool' | 'tool_failed' | 'max_iterations'; message: string };
};

type Unanswered = NonNullable<ToolTurnResult['unanswered']>;

const LEFT_WAITING =
	'The chat is left waiting for tool outputs: Coze cannot cancel a chat in requires_action. Answer it with Chat → Submit Tool Outputs (the ids below), or send the next message in a new conversation.';

/** Runs the turn that `request` starts, answering client-side tool calls with the connected tools. */
export async function runChatWithTools(
	context: IExecuteFunctions,
	coze: CozeClient,
	request: ChatTurnRequest,
	runOptions: RunChatOptions,
	toolOptions: ToolLoopOptions,
): Promise<ToolTurnResult> {
	const { itemIndex } = coze;
	return await withLiveText(context, itemIndex, runOptions.liveStream, async (live) => {
		const rounds: ChatResult[] = [];
		const answered: AnsweredToolCall[] = [];
		const turn = async (next: ChatTurnRequest) => {
			const result = await runRound(coze, next, runOptions, live);
			rounds.push(result);
			return result;
		};
		let result = await turn(request);
		let tools: ClientTool[] | undefined;
		while (result.status === 'requires_action') {
			const pending = result.required_action?.tool_calls ?? [];
			if (pending.length === 0) break;
			// Tools are built only when Coze asks for one (an unused tool costs nothing).
			tools ??= await connectedTools(context, itemIndex);
			// No tools connected: the waiting turn is output, saying what it waits for and how to answer.
			if (tools.length === 0) return noToolsConnected(context, combine(rounds, answered), pending);
			const ids = { chatId: result.chat_id, conversationId: result.conversation_id };
			const round = answered.length === 0 ? 1 : answered[answered.length - 1].round + 1;
			if (toolOptions.maxRounds > 0 && round > toolOptions.maxRounds) {
				return unanswered(combine(rounds, answered), ids, toolOptions, {
					reason: 'max_iterations',
					message: `The bot still asked for tools (${names(pending)}) after ${toolOptions.maxRounds} round(s) of tool calls (Options → Max Tool Calls Iterations)`,
				});
			}
			const resolved = pending.map((call) => ({ call, match: findTool(tools ?? [], call.name, toolOptions.mapping) }));
			const ambiguous = resolved.find((step) => Array.isArray(step.match));
			if (ambiguous) {
				const both = (ambiguous.match as ClientTool[]).map((t) => `"${t.name}" (node "${t.nodeName}")`).join(' and ');
				return unanswered(combine(rounds, answered), ids, toolOptions, {
					reason: 'ambiguous_tool',
					message: `The bot asked for the tool "${ambiguous.call.name}", which fits the connected tools ${both}: their names differ only in case, spaces or punctuation, or not at all. Rename one of the tool nodes so that the names differ in their letters or digits.`,
				});
			}
			const plan = resolved.map(({ call, match }) => ({ call, tool: match as ClientTool | undefined }));
			const missing = plan.filter((step) => !step.tool).map((step) => step.call.name);
			if (missing.length > 0) {
				return unanswered(combine(rounds, answered), ids, toolOptions, {
					reason: 'unknown_tool',
					message: `The bot asked for the tool${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}, but no connected n8n tool has that name (connected: ${(tools ?? []).map((t) => t.name).join(', ')}). Rename the tool node, or map the name in Options → Tool Name Mapping.`,
				});
			}
			if (live && toolOptions.marker !== '') {
				const marker = toolMarker(toolOptions.marker, plan.map((step) => step.tool?.name ?? step.call.name));
				live.write(`${live.streamed === '' || live.streamed.endsWith('\n\n') ? '' : '\n\n'}${marker}\n\n`);
			}
			const outputs: Array<{ tool_call_id: string; output: string }> = [];
			for (const { call, tool } of plan) {
				const answer = await callTool(coze, toolOptions.onToolError, tool as ClientTool, call, round, ids);
				if ('failure' in answer) {
					return unanswered(combine(rounds, [...answered]), ids, toolOptions, answer.failure);
				}
				answered.push(answer.call);
				outputs.push({ tool_call_id: call.id, output: answer.call.output ?? '' });
			}
			result = await turn(submitToolOutputsRequest(ids, outputs)).catch((error: unknown) => {
				throw unsupportedByServer(error, CLIENT_TOOLS_ENDPOINT(ids));
			});
		}
		return combine(rounds, answered);
	});
}

/** One round's chat turn; the live stream ends each round with exactly that round's answer. */
async function runRound(coze: CozeClient, request: ChatTurnRequest, options: RunChatOptions, live: LiveText | undefined): Promise<ChatResult> {
	if (!live) return await runChat(coze, request, options);
	let streamed = '';
	const result = await runChat(coze, request, options, {
		write: (text: string) => {
			streamed += text;
			live.write(text);
		},
	});
	const correction = liveStreamCorrection(streamed, result.answer);
	if (correction) live.write(correction);
	return result;
}

/** The tool that answers `requested`, none, or (a list) the several tools that fit its name. */
function findTool(tools: ClientTool[], requested: string, mapping: Record<string, string>): ClientTool | ClientTool[] | undefined {
	const match = resolveToolName(requested, tools.map((t) => t.name), mapping);
	if (match === undefined) return undefined;
	if ('name' in match) return tools.find((t) => t.name === match.name);
	return tools.filter((t) => match.ambiguous.includes(t.name));
}

/**
 * Runs one tool within the item's budget. A tool that throws, or returns its error as n8n's tool
 * nodes do, fails: the call is left unanswered, or (On Tool Error: Let the Bot Handle It) answered
 * with the error text. Timeout and cancel are thrown.
 */
async function callTool(
	coze: CozeClient,
	onToolError: ToolLoopOptions['onToolError'],
	tool: ClientTool,
	call: RequiredToolCall,
	round: number,
	ids: { chatId: string; conversationId: string },
): Promise<{ call: AnsweredToolCall } | { failure: Unanswered }> {
	const started = Date.now();
	const outcome = await coze.budget
		.waitFor(tool.invoke(call.arguments), `running the n8n tool "${tool.name}" for Coze's "${call.name}"`)
		.then(
			(output: unknown) => ({ output }),
			(error: unknown) => ({ error }),
		);
	const answer = (output: string, error?: string) => ({
		call: {
			id: call.id,
			name: call.name,
			arguments: call.arguments,
			args: call.args,
			output,
			client_side: true as const,
			n8n_tool: tool.name,
			n8n_node: tool.nodeName,
			duration_ms: Date.now() - started,
			round,
			...(error === undefined ? {} : { error }),
		},
	});
	let reason: string;
	if ('output' in outcome) {
		const reported = reportedToolFailure(outcome.output);
		if (reported === undefined) return answer(toolOutputText(outcome.output));
		reason = reported;
	} else {
		const { error } = outcome;
		// The item's Timeout or the execution's cancel: the item stops, whatever it was set to do.
		if (error instanceof TransportError) {
			throw new CozeApiError({ msg: error.msg, chatId: ids.chatId, conversationId: ids.conversationId, hint: LEFT_WAITING });
		}
		reason = error instanceof Error ? error.message : String(error);
	}
	if (onToolError === 'bot') return answer(toolErrorOutput('output' in outcome ? outcome.output : undefined, reason), reason);
	return { failure: { reason: 'tool_failed', message: `The n8n tool "${tool.name}" (node "${tool.nodeName}"), answering Coze's "${call.name}", failed: ${reason}` } };
}

/**
 * A bot that waits for client-side plugins while no n8n tool is connected: the turn is output as it
 * stands (status requires_action), with `unanswered` and an execution hint naming the plugins and
 * the two ways to answer them.
 */
function noToolsConnected(context: IExecuteFunctions, result: ToolTurnResult, pending: RequiredToolCall[]): ToolTurnResult {
	const plugins = [...new Set(pending.map((call) => call.name))];
	const quoted = plugins.map((name) => `"${name}"`).join(', ');
	const them = plugins.length > 1 ? 'them' : 'it';
	const submit = `answer with Chat → Submit Tool Outputs (this item's chat_id, conversation_id and the ids in required_action.tool_calls)`;
	const message = hasToolsInput(context)
		? `The bot is waiting for its client-side plugin${plugins.length > 1 ? 's' : ''} ${quoted} and no n8n tool is connected to Tools, so its answer is empty (status requires_action). To answer ${them}, connect n8n tools named ${quoted} to this node's Tools input (they are then called automatically), or ${submit}.`
		: `The bot is waiting for its client-side plugin${plugins.length > 1 ? 's' : ''} ${quoted}, so its answer is empty (status requires_action). To answer ${them}, ${submit}.`;
	executionHint(context, message);
	return { ...result, unanswered: { reason: 'no_tools_connected', message } };
}

/** Fails the item, or (Return Them) outputs the turn as it stands, still waiting for tool outputs. */
function unanswered(
	result: ToolTurnResult,
	ids: { chatId: string; conversationId: string },
	options: ToolLoopOptions,
	why: Unanswered,
): ToolTurnResult {
	if (options.onUnanswered === 'return') return { ...result, unanswered: why };
	throw new CozeApiError({ msg: why.message, chatId: ids.chatId, conversationId: ids.conversationId, hint: LEFT_WAITING });
}

/** The rounds of one turn as one result: every answer part, every tool call, the usage of all rounds. */
function combine(rounds: ChatResult[], answered: AnsweredToolCall[]): ToolTurnResult {
	const last = rounds[rounds.length - 1];
	if (rounds.length === 1 && answered.length === 0) return last; // no tool ran: the plain turn
	const joined = (pick: (r: ChatResult) => string) => rounds.map(pick).filter((text) => text !== '').join('\n\n');
	const usage: ChatUsage = { input_count: 0, output_count: 0, token_count: 0 };
	for (const round of rounds) {
		usage.input_count += round.usage.input_count;
		usage.output_count += round.usage.output_count;
		usage.token_count += round.usage.token_count;
	}
	const combined: ToolTurnResult = {
		...last,
		answer: joined((r) => r.answer),
		reasoning_content: joined((r) => r.reasoning_content),
		tool_calls: [...rounds.flatMap((r) => r.tool_calls), ...answered],
		usage,
	};
	if (answered.length > 0) combined.tool_rounds = answered[answered.length - 1].round;
	if (rounds.some((r) => r.messages)) combined.messages = rounds.flatMap((r) => r.messages ?? []);
	const cards = rounds.flatMap((r) => r.cards ?? []);
	if (cards.length > 0) combined.cards = cards;
	else delete combined.cards;
	return combined;
}

function names(calls: RequiredToolCall[]): string {
	return calls.map((c) => c.name).join(', ');
}
