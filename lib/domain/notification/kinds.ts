/** What a customer is told about, each kind with the words the settings page shows. */
export const NOTIFICATION_KINDS = [
  "money-received",
  "transfer-completed",
  "transfer-failed",
  "transfer-held",
  "order-payment-failed",
  "account-frozen",
  "account-unfrozen",
  "new-device-sign-in",
  "security-changed",
  "token-created",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  "money-received": "Money received",
  "transfer-completed": "Transfer completed",
  "transfer-failed": "Transfer failed",
  "transfer-held": "Transfer held for review",
  "order-payment-failed": "Standing order payment failed",
  "account-frozen": "Account frozen",
  "account-unfrozen": "Account unfrozen",
  "new-device-sign-in": "Sign-in from a new device",
  "security-changed": "Password or second factor changed",
  "token-created": "API token created",
};

export const isNotificationKind = (value: unknown): value is NotificationKind => (NOTIFICATION_KINDS as readonly unknown[]).includes(value);
