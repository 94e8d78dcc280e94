import type { INodeProperties } from 'n8n-workflow';

import { operations } from '../../nodes/CozeChat/actions/router';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';

describe('the router and the node description name the same operations', () => {
	const properties = new CozeChat().description.properties as INodeProperties[];
	const resources = (properties.find((p) => p.name === 'resource')?.options ?? []) as Array<{ value: string }>;

	it('every Resource option has executors, and every executor is offered', () => {
		expect(resources.map((r) => r.value).sort()).toEqual(Object.keys(operations).sort());
	});

	it.each(Object.keys(operations))('%s: every Operation option runs, and every runnable operation is offered', (resource) => {
		const offered = properties
			.filter((p) => p.name === 'operation' && ((p.displayOptions?.show?.resource ?? []) as string[]).includes(resource))
			.flatMap((p) => ((p.options ?? []) as Array<{ value: string }>).map((o) => o.value));
		const runnable = Object.keys((operations as Record<string, Record<string, unknown>>)[resource]);
		expect([...new Set(offered)].sort()).toEqual(runnable.sort());
		for (const name of runnable) {
			expect(typeof ((operations as Record<string, Record<string, { execute?: unknown }>>)[resource][name].execute)).toBe('function');
		}
	});
});

describe("an item's time is read by the router from the operation's own Timeout option", () => {
	const properties = new CozeChat().description.properties as INodeProperties[];
	const showsFor = (property: INodeProperties, resource: string, operation: string) => {
		const show = property.displayOptions?.show ?? {};
		return ((show.resource ?? []) as string[]).includes(resource) && ((show.operation ?? []) as string[]).includes(operation);
	};
	const hasTimeoutOption = (resource: string, operation: string) =>
		properties.some(
			(p) => p.name === 'options' && showsFor(p, resource, operation) && ((p.options ?? []) as INodeProperties[]).some((o) => o.name === 'timeout'),
		);
	const cases = Object.entries(operations).flatMap(([resource, ops]) => Object.keys(ops).map((operation) => [resource, operation] as const));

	it.each(cases)('%s → %s: declares timeoutSeconds exactly when it offers Options → Timeout', (resource, operation) => {
		const module = (operations as Record<string, Record<string, { timeoutSeconds?: unknown }>>)[resource][operation];
		expect({ resource, operation, declares: typeof module.timeoutSeconds === 'function' }).toEqual({
			resource,
			operation,
			declares: hasTimeoutOption(resource, operation),
		});
	});

	it('at least the chat, workflow, knowledge and audio operations have one (the table above is not empty)', () => {
		const withTimeout = cases.filter(([resource, operation]) => hasTimeoutOption(resource, operation)).map(([r, o]) => `${r}.${o}`);
		expect(withTimeout).toEqual(expect.arrayContaining(['chat.sendMessage', 'workflow.run', 'knowledge.uploadDocument', 'audio.textToSpeech']));
	});
});
