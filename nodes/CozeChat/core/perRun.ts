/**
 * Work done once per node run and key, shared by the run's items: a workflow's schema, which
 * server the credential talks to, a knowledge base's documents. Keyed by the run's context object
 * (n8n gives each node run its own), so nothing outlives the run. A failure is not kept: the next
 * item asks again.
 */
export class PerRun<T> {
	private readonly runs = new WeakMap<object, Map<string, Promise<T>>>();

	get(context: object, key: string, make: () => Promise<T>): Promise<T> {
		let perRun = this.runs.get(context);
		if (!perRun) this.runs.set(context, (perRun = new Map()));
		let work = perRun.get(key);
		if (!work) {
			work = make();
			perRun.set(key, work);
			const forget = perRun;
			work.catch(() => forget.delete(key));
		}
		return work;
	}
}
