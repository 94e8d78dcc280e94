/**
 * The per-item Coze client: one object per Coze resource (as coze-js's resource classes), all of
 * them sending through the item's one CozeHttp, so every request of the item runs under its budget.
 * The router builds one for each item (actions/router.ts); pickers build one with forPicker.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { ItemBudget } from '../boundaries/budget';
import type { CozeContext } from '../transport/session';
import { AudioApi } from './audio';
import { BotsApi } from './bot';
import { ChatApi } from './chat';
import { ConversationsApi } from './conversation';
import { FilesApi } from './file';
import { CozeHttp } from './http';
import { KnowledgeApi } from './knowledge';
import { MessagesApi } from './message';
import { PluginsApi } from './plugin';
import { VariablesApi } from './variable';
import { WorkflowsApi } from './workflow';
import { WorkspacesApi } from './space';

export class CozeClient {
	readonly audio: AudioApi;
	readonly bots: BotsApi;
	readonly chat: ChatApi;
	readonly conversations: ConversationsApi;
	readonly files: FilesApi;
	readonly knowledge: KnowledgeApi;
	/** Messages of a conversation and their feedback (api/message.ts). */
	readonly messages: MessagesApi;
	readonly plugins: PluginsApi;
	readonly variables: VariablesApi;
	readonly workflows: WorkflowsApi;
	readonly workspaces: WorkspacesApi;

	constructor(
		/** The item's door to Coze: its context and its budget. */
		readonly http: CozeHttp,
		/** The item whose binary data uploads read (−1 for a picker, which has no item). */
		readonly itemIndex: number,
	) {
		this.files = new FilesApi(http, itemIndex);
		this.audio = new AudioApi(http, this.files);
		this.bots = new BotsApi(http);
		this.chat = new ChatApi(http);
		this.conversations = new ConversationsApi(http);
		this.workspaces = new WorkspacesApi(http);
		this.knowledge = new KnowledgeApi(http, this.files, this.workspaces);
		this.plugins = new PluginsApi(http);
		this.variables = new VariablesApi(http);
		this.messages = new MessagesApi(http);
		this.workflows = new WorkflowsApi(http);
	}

	/** The client of one input item, under the item's budget. */
	static forItem(context: IExecuteFunctions, itemIndex: number, budget: ItemBudget): CozeClient {
		return new CozeClient(new CozeHttp(context, budget), itemIndex);
	}

	/** A client bounded by the picker time limit (load options, list search, resource mapping). */
	static forPicker(context: CozeContext): CozeClient {
		return new CozeClient(CozeHttp.forPicker(context), -1);
	}

	/** The same resources for work several items share (see CozeHttp.shared). */
	shared(): CozeClient {
		return new CozeClient(this.http.shared(), this.itemIndex);
	}

	/** The item's time. */
	get budget(): ItemBudget {
		return this.http.budget;
	}
}
