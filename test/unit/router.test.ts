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
