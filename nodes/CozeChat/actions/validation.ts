import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

/**
 * Reads a resource locator (list, editor URL or ID) and insists on a numeric Coze id; the error
 * names the field and says what a good value looks like.
 */
export function getLocatorId(
	context: IExecuteFunctions,
	itemIndex: number,
	field: { name: string; label: string; kind: string; example: string },
	required = true,
): string {
	const raw = context.getNodeParameter(field.name, itemIndex, '', { extractValue: true }) as string;
	const id = String(raw ?? '').trim();
	if (id === '' && !required) return '';
	if (!/^\d+$/.test(id)) {
		throw new NodeOperationError(
			context.getNode(),
			id === ''
				? `${field.label}: choose ${field.kind === 'bot' ? 'a bot' : 'one'} from the list, paste its editor URL, or enter its ID`
				: `${field.label}: '${id}' is not a Coze ${field.kind} ID (digits only, e.g. ${field.example})`,
			{ itemIndex },
		);
	}
	return id;
}

/** Reads the bot resource locator and insists on a numeric Coze id. */
export function getBotId(context: IExecuteFunctions, itemIndex: number, required = true): string {
	return getLocatorId(context, itemIndex, { name: 'botId', label: 'Bot', kind: 'bot', example: '7348293334459318306' }, required);
}

/** Reads a string parameter, trimmed, and names the field when it is empty. */
export function getRequiredString(
	context: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): string {
	const value = context.getNodeParameter(name, itemIndex, '') as unknown;
	const text = typeof value === 'string' ? value.trim() : value === null || value === undefined ? '' : String(value);
	if (text === '') {
		throw new NodeOperationError(context.getNode(), `${label} is empty: enter a value or an expression`, {
			itemIndex,
		});
	}
	return text;
}

/** Coze ids are digits; catch a pasted URL or name early, with the field's name. */
export function assertCozeId(
	context: IExecuteFunctions,
	value: string,
	label: string,
	itemIndex: number,
): string {
	if (!/^\d+$/.test(value)) {
		throw new NodeOperationError(
			context.getNode(),
			`${label}: '${value}' is not a Coze ID (digits only, e.g. 7381473525342978089)`,
			{ itemIndex },
		);
	}
	return value;
}

/** A required Coze id parameter: present and digits only, or an error naming the field. */
export function getCozeId(context: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	return assertCozeId(context, getRequiredString(context, name, label, itemIndex), label, itemIndex);
}

/** The Conversation ID and Chat ID fields every chat follow-up operation starts from. */
export function getChatIds(context: IExecuteFunctions, itemIndex: number): { conversationId: string; chatId: string } {
	return {
		conversationId: getCozeId(context, 'conversationId', 'Conversation ID', itemIndex),
		chatId: getCozeId(context, 'chatId', 'Chat ID', itemIndex),
	};
}
