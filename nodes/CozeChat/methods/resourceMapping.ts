/** Resource mapper methods: forms whose fields come from Coze. */
export { getWorkflowInputs } from './workflowInputs';
export { getPluginToolInputs } from './pluginSearch';
