export const UsageErrorCode = {
  /** request.admit: the call would pass the per-session budget (the user is asked). */
  BUDGET_SESSION: 'USAGE_METERING_BUDGET_SESSION_EXCEEDED',
  /** request.admit: the call would pass the per-day budget (the user is asked). */
  BUDGET_DAY: 'USAGE_METERING_BUDGET_DAY_EXCEEDED',
  SESSION_NOT_FOUND: 'USAGE_METERING_SESSION_NOT_FOUND',
  RANGE_INVALID: 'USAGE_METERING_RANGE_INVALID',
} as const
