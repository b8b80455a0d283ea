import { setTimeout as sleep } from 'node:timers/promises'
import { PlatformError } from '../../../kernel/index.js'
import type { CodeAssistApi } from './code-assist-api.js'

interface Tier {
  id?: string
  name?: string
  isDefault?: boolean
  hasOnboardedPreviously?: boolean
}

interface LoadCodeAssistResponse {
  currentTier?: Tier | null
  paidTier?: Tier | null
  allowedTiers?: Tier[]
  ineligibleTiers?: Array<{ reasonCode?: string; reasonMessage?: string; validationUrl?: string }>
  cloudaicompanionProject?: string
}

interface Operation {
  name?: string
  done?: boolean
  response?: { cloudaicompanionProject?: { id?: string } }
}

export interface CodeAssistUser {
  projectId: string
  tier: string
}

export interface SetupOptions {
  /** GOOGLE_CLOUD_PROJECT / GOOGLE_CLOUD_PROJECT_ID. */
  project: string | undefined
  pollMs: number
  maxPolls: number
  /** retrieveUserQuota + listExperiments after setup (gemini-cli 0.61.0's startup calls). */
  startupCalls: boolean
  /** Product version and release channel for listExperiments' client metadata. */
  version: string
  signal?: AbortSignal
}

const CLIENT_METADATA = { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' }

function projectRequired(res: LoadCodeAssistResponse): never {
  const reasons = (res.ineligibleTiers ?? []).map((t) => t.reasonMessage).filter(Boolean)
  if (reasons.length > 0) throw new PlatformError('PROVIDER_GEMINI_CODE_ASSIST_INELIGIBLE', `This Google account cannot use Code Assist: ${reasons.join(', ')}`)
  throw new PlatformError('PROVIDER_GEMINI_CODE_ASSIST_PROJECT_REQUIRED', 'This Google account needs a Google Cloud project: set GOOGLE_CLOUD_PROJECT (or GOOGLE_CLOUD_PROJECT_ID) to its project id.')
}

function checkValidation(res: LoadCodeAssistResponse): void {
  if (res.currentTier) return
  const tier = res.ineligibleTiers?.find((t) => t.validationUrl && t.reasonCode === 'VALIDATION_REQUIRED')
  if (tier) throw new PlatformError('PROVIDER_GEMINI_CODE_ASSIST_VALIDATION_REQUIRED', `Google asks to verify this account first (${tier.reasonMessage ?? 'validation required'}): open ${tier.validationUrl}`)
}

async function onboard(api: CodeAssistApi, res: LoadCodeAssistResponse, options: SetupOptions): Promise<CodeAssistUser> {
  const tier = res.allowedTiers?.find((t) => t.isDefault) ?? { id: 'legacy-tier' }
  const request =
    tier.id === 'free-tier'
      ? { tierId: tier.id, cloudaicompanionProject: undefined, metadata: CLIENT_METADATA }
      : { tierId: tier.id, cloudaicompanionProject: options.project, metadata: { ...CLIENT_METADATA, duetProject: options.project } }
  let operation = await api.post<Operation>('onboardUser', request, options.signal)
  for (let polls = 0; !operation.done && operation.name; polls++) {
    if (polls >= options.maxPolls) throw new PlatformError('PROVIDER_GEMINI_CODE_ASSIST_SETUP_FAILED', `Code Assist onboarding did not finish after ${polls} polls; try again later.`, { retryable: true })
    await sleep(options.pollMs, undefined, { signal: options.signal })
    operation = await api.operation<Operation>(operation.name, options.signal)
  }
  const projectId = operation.response?.cloudaicompanionProject?.id ?? options.project
  if (!projectId) projectRequired(res)
  return { projectId, tier: tier.id ?? 'standard-tier' }
}

/**
 * gemini-cli's setupUser: loadCodeAssist with the configured project; when the account has a tier the
 * project comes from the answer (or the environment); otherwise onboardUser with the default allowed
 * tier and poll the operation until done.
 */
export async function setupCodeAssist(api: CodeAssistApi, options: SetupOptions): Promise<CodeAssistUser> {
  if (options.project && /^\d+$/.test(options.project)) {
    throw new PlatformError('PROVIDER_GEMINI_CODE_ASSIST_PROJECT_INVALID', `GOOGLE_CLOUD_PROJECT is "${options.project}", a project number: set it to the project id (e.g. my-project-123).`)
  }
  const res = await api.post<LoadCodeAssistResponse>('loadCodeAssist', { cloudaicompanionProject: options.project, metadata: { ...CLIENT_METADATA, duetProject: options.project } }, options.signal)
  checkValidation(res)
  let user: CodeAssistUser
  if (res.currentTier) {
    const projectId = res.cloudaicompanionProject ?? options.project
    if (!projectId) projectRequired(res)
    user = { projectId, tier: res.paidTier?.id ?? res.currentTier.id ?? 'standard-tier' }
  } else {
    user = await onboard(api, res, options)
  }
  if (options.startupCalls) await startupCalls(api, user.projectId, options)
  return user
}

/** gemini-cli's startup calls after auth (quota and experiments, in parallel); their failures are ignored. */
async function startupCalls(api: CodeAssistApi, project: string, options: SetupOptions): Promise<void> {
  const channel = /nightly/.test(options.version) ? 'nightly' : /preview/.test(options.version) ? 'preview' : 'stable'
  const metadata = { ideName: 'IDE_UNSPECIFIED', pluginType: 'GEMINI', ideVersion: options.version, platform: platformName(), updateChannel: channel, duetProject: project }
  await Promise.allSettled([
    api.post('retrieveUserQuota', { project }, options.signal),
    api.post('listExperiments', { project, metadata }, options.signal),
  ])
}

function platformName(): string {
  const names: Record<string, string> = { 'darwin-x64': 'DARWIN_AMD64', 'darwin-arm64': 'DARWIN_ARM64', 'linux-x64': 'LINUX_AMD64', 'linux-arm64': 'LINUX_ARM64', 'win32-x64': 'WINDOWS_AMD64' }
  return names[`${process.platform}-${process.arch}`] ?? 'PLATFORM_UNSPECIFIED'
}
