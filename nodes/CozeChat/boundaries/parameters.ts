/**
 * The input owner: the one place that reads the user's parameters and turns each into a typed value,
 * or into a NodeOperationError that names the field and says what was wrong with it. Expressions can
 * yield anything (an object where text belongs, "all" where a number belongs, -1 for a Timeout):
 * nothing reaches Coze, or decides how long the node waits, without passing a reader here.
 * Nothing else in the node calls `getNodeParameter`.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type ILoadOptionsFunctions } from 'n8n-workflow';

import { parseJsonNumbersExact } from '../core/json';

export interface LocatorField {
	name: string;
	label: string;
	kind: string;
	example: string;
}

export const BOT_FIELD: LocatorField = { name: 'botId', label: 'Bot', kind: 'bot', example: '7348293334459318306' };

export interface NumberRule {
	/** Used when the field is empty or absent. */
	default: number;
	min?: number;
	max?: number;
	integer?: boolean;
	/** What the value means, for the message ("seconds", "items"). */
	unit?: string;
	/** What the minimum means, when it is special ("0 means no limit"). */
	minNote?: string;
}

/**
 * The parameters of one item. `label` is the field as the editor shows it, with its collection
 * ("Options → Timeout (Seconds)"), so every message points at the field to fix.
 */
export class ItemParameters {
	constructor(
		readonly context: IExecuteFunctions,
		readonly itemIndex: number,
	) {}

	/** The raw value (expressions resolved); an expression that fails names the field. */
	raw(name: string, label: string, fallback?: unknown, options?: { extractValue?: boolean }): unknown {
		try {
			return this.context.getNodeParameter(name, this.itemIndex, fallback as never, options);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			throw new NodeOperationError(this.context.getNode(), `${label}: ${message}`, {
				itemIndex: this.itemIndex,
				description: (error as { description?: string }).description,
			});
		}
	}

	/**
	 * Text: a string as is (trimmed unless `keepSpaces`), a number or boolean as written, an object
	 * or array as JSON — never "[object Object]". Empty is an error when `required`.
	 */
	text(name: string, label: string, options: { required?: boolean; default?: string; keepSpaces?: boolean } = {}): string {
		const text = toText(this.raw(name, label, options.default ?? ''));
		const value = options.keepSpaces ? text : text.trim();
		if (options.required && value.trim() === '') this.fail(`${label} is empty: enter a value or an expression`);
		return value;
	}

	/** A number within its rule; empty means the default; anything else is an error saying what is allowed. */
	number(name: string, label: string, rule: NumberRule): number {
		const value = this.raw(name, label, rule.default);
		if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return rule.default;
		const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
		const allowed = describeRule(rule);
		if (!Number.isFinite(number)) this.fail(`${label}: '${shown(value)}' is not a number (${allowed})`);
		if ((rule.integer && !Number.isInteger(number)) || (rule.min !== undefined && number < rule.min) || (rule.max !== undefined && number > rule.max)) {
			this.fail(`${label}: ${number} is not allowed (${allowed})`);
		}
		return number;
	}

	/** A boolean: true/false, or the strings "true"/"false" an expression may give. */
	boolean(name: string, label: string, fallback: boolean): boolean {
		const value = this.raw(name, label, fallback);
		if (value === undefined || value === null || value === '') return fallback;
		if (typeof value === 'boolean') return value;
		const text = String(value).trim().toLowerCase();
		if (text === 'true' || text === 'false') return text === 'true';
		return this.fail(`${label}: '${shown(value)}' is not true or false`);
	}

	/** One of `allowed`. */
	choice<T extends string>(name: string, label: string, allowed: readonly T[], fallback: T): T {
		const value = this.raw(name, label, fallback);
		if (value === undefined || value === null || value === '') return fallback;
		if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
		return this.fail(`${label}: '${shown(value)}' is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
	}

	/** A Coze id (digits only), required unless told otherwise. */
	cozeId(name: string, label: string, options: { required?: boolean } = { required: true }): string {
		const id = this.text(name, label, { required: options.required !== false });
		if (id === '') return '';
		return assertCozeId(this, id, label);
	}

	/** A resource locator (list, editor URL or ID) holding a numeric Coze id. */
	locatorId(field: LocatorField, required = true): string {
		const id = toText(this.raw(field.name, field.label, '', { extractValue: true })).trim();
		if (id === '' && !required) return '';
		if (!/^\d+$/.test(id)) {
			this.fail(
				id === ''
					? `${field.label}: choose ${field.kind === 'bot' ? 'a bot' : 'one'} from the list, paste its editor URL, or enter its ID`
					: `${field.label}: '${id}' is not a Coze ${field.kind} ID (digits only, e.g. ${field.example})`,
			);
		}
		return id;
	}

	/** The bot resource locator. */
	botId(required = true): string {
		return this.locatorId(BOT_FIELD, required);
	}

	/**
	 * A JSON object: an object from an expression, or JSON text of one; empty gives undefined. Integers
	 * in the text beyond 2^53 (19-digit ids) stay exact (JsonInteger), to be sent to Coze as written.
	 */
	jsonObject(name: string, label: string, example = '{"city": "Hangzhou"}'): IDataObject | undefined {
		const value = this.raw(name, label, '');
		if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
		let parsed: unknown = value;
		if (typeof value === 'string') {
			try {
				parsed = parseJsonNumbersExact(value);
			} catch {
				this.fail(`${label} is not valid JSON`);
			}
		}
		if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
			this.fail(`${label} must be a JSON object, like ${example}`);
		}
		return parsed as IDataObject;
	}

	/**
	 * Key/value pairs of a fixedCollection `{ entries: [{ key, value }] }` as a map of strings: an
	 * object value becomes its JSON text. Undefined when there are none.
	 */
	keyValues(name: string, label: string): Record<string, string> | undefined {
		const collection = this.raw(name, label, {}) as IDataObject | undefined;
		const entries = (collection?.entries as Array<{ key?: unknown; value?: unknown }> | undefined) ?? [];
		const map: Record<string, string> = {};
		for (const entry of entries) {
			const key = toText(entry?.key).trim();
			if (key !== '') map[key] = toText(entry?.value);
		}
		return Object.keys(map).length > 0 ? map : undefined;
	}

	/** The entries of a repeatable fixedCollection `{ entries: [...] }`. */
	entries(name: string, label: string): IDataObject[] {
		const collection = this.raw(name, label, {}) as IDataObject | undefined;
		const entries = collection?.entries;
		return Array.isArray(entries) ? (entries.filter((e) => typeof e === 'object' && e !== null) as IDataObject[]) : [];
	}

	/** A comma-separated list (or an array from an expression), trimmed, empties dropped. */
	list(name: string, label: string): string[] {
		const value = this.raw(name, label, '');
		const parts = Array.isArray(value) ? value.map(toText) : toText(value).split(',');
		return parts.map((part) => part.trim()).filter(Boolean);
	}

	/** Coze ids, comma-separated or an array from an expression: at least one, each digits only. */
	cozeIds(name: string, label: string): string[] {
		const ids = this.list(name, label);
		if (ids.length === 0) this.fail(`${label} is empty: enter at least one ID`);
		return ids.map((id) => assertCozeId(this, id, label));
	}

	/** Throws the error for this item's field. */
	fail(message: string, description?: string): never {
		throw new NodeOperationError(this.context.getNode(), message, { itemIndex: this.itemIndex, description });
	}
}

export function parametersOf(context: IExecuteFunctions, itemIndex: number): ItemParameters {
	return new ItemParameters(context, itemIndex);
}

/**
 * The Authentication choice ('accessToken' or 'jwt'), also in a picker's context (which has no
 * items); nodes saved before the choice existed have no such parameter.
 */
export function authenticationOf(context: IExecuteFunctions | ILoadOptionsFunctions): string {
	try {
		const value = (context as IExecuteFunctions).getNodeParameter('authentication', 0, 'accessToken');
		return value === 'jwt' ? 'jwt' : 'accessToken';
	} catch {
		return 'accessToken';
	}
}

/**
 * What a form method (a resource mapper's fields) depends on: the chosen workflow (digits, or ''
 * when none is chosen yet) and the operation. Load-options contexts have no items.
 */
export function formContextOf(context: ILoadOptionsFunctions): { workflowId: string; operation: string } {
	const workflowId = toText(context.getNodeParameter('workflowId', '', { extractValue: true })).trim();
	return { workflowId: /^\d+$/.test(workflowId) ? workflowId : '', operation: toText(context.getNodeParameter('operation', '')) };
}

/** The Plugin form's choice: the plugin (digits, or '' while none is chosen) and the tool's name. */
export function pluginFormContextOf(context: ILoadOptionsFunctions): { pluginId: string; toolName: string } {
	const pluginId = toText(context.getNodeParameter('pluginId', '', { extractValue: true })).trim();
	let toolName = '';
	try {
		toolName = toText(context.getNodeParameter('toolName', '', { extractValue: true })).trim();
	} catch {
		// Search and Get have no Tool field.
	}
	return { pluginId: /^\d+$/.test(pluginId) ? pluginId : '', toolName };
}

/** Coze ids are digits; catch a pasted URL or name early, with the field's name. */
export function assertCozeId(parameters: ItemParameters, value: string, label: string): string {
	if (!/^\d+$/.test(value)) parameters.fail(`${label}: '${value}' is not a Coze ID (digits only, e.g. 7381473525342978089)`);
	return value;
}

/** The Conversation ID and Chat ID fields every chat follow-up operation starts from. */
export function chatIdsOf(parameters: ItemParameters): { conversationId: string; chatId: string } {
	return {
		conversationId: parameters.cozeId('conversationId', 'Conversation ID'),
		chatId: parameters.cozeId('chatId', 'Chat ID'),
	};
}

/** Any value as text: objects and arrays as JSON, nothing as ''. */
export function toText(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

function shown(value: unknown): string {
	const text = toText(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeRule(rule: NumberRule): string {
	const kind = rule.integer ? 'a whole number' : 'a number';
	const unit = rule.unit ? ` of ${rule.unit}` : '';
	const range =
		rule.min !== undefined && rule.max !== undefined
			? `, from ${rule.min} to ${rule.max}`
			: rule.min !== undefined
				? `, at least ${rule.min}`
				: rule.max !== undefined
					? `, at most ${rule.max}`
					: '';
	return `expected ${kind}${unit}${range}${rule.minNote ? `; ${rule.minNote}` : ''}`;
}
