/**
 * One-time setup of the `@n8n/di` Container state that n8n-core's execution contexts reach for.
 *
 * Everything else n8n-core needs (OutboundHttp with its SSRF service/config, BinaryDataService,
 * Cipher, ...) is a `@Service` that the Container builds on first use from the defaults below,
 * so only the two things that would otherwise touch the real machine are pinned here:
 *  - InstanceSettingsConfig: InstanceSettings writes `<n8nFolder>/config` (an encryption key) in
 *    its constructor, so it is pointed at a temp dir instead of ~/.n8n, built eagerly, and the dir
 *    is removed again right away (the file is only read/written in the constructor; jest's sandboxed
 *    `process` never fires 'exit' handlers, so cleaning up later would leak a dir per run).
 *    Pinning the config object rather than setting N8N_USER_FOLDER keeps process.env untouched for
 *    code in the same worker that spawns a real n8n.
 *  - Logger: silent unless N8N_LOG_LEVEL is set, so n8n-core's debug/warn output stays out of jest.
 *
 * BinaryDataService is deliberately left un-initialised: without managers it keeps binary data
 * inline as base64 (n8n's in-memory 'default' mode), which needs no storage directory.
 *
 * The expression engine stays n8n-workflow's built-in 'legacy' evaluator (no
 * Expression.initExpressionEngine call); a real n8n server defaults to the isolated-vm engine.
 */
import { Logger } from '@n8n/backend-common';
import { GlobalConfig, InstanceSettingsConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import { InstanceSettings } from 'n8n-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let initialised = false;

export function ensureContainer(): void {
	if (initialised) return;

	const userHome = mkdtempSync(path.join(tmpdir(), 'n8n-harness-'));
	const instanceSettingsConfig = Object.assign(new InstanceSettingsConfig(), {
		userHome,
		n8nFolder: path.join(userHome, '.n8n'),
		encryptionKey: 'n8n-harness-encryption-key',
		enforceSettingsFilePermissions: false,
	});
	Container.set(InstanceSettingsConfig, instanceSettingsConfig);

	const globalConfig = Container.get(GlobalConfig);
	if (!process.env.N8N_LOG_LEVEL) globalConfig.logging.level = 'silent';
	// The root Logger also initialises n8n-workflow's LoggerProxy.
	Container.set(Logger, new Logger(globalConfig, instanceSettingsConfig));

	try {
		Container.get(InstanceSettings);
	} finally {
		rmSync(userHome, { recursive: true, force: true });
	}
	initialised = true;
}
