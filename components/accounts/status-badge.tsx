import { FREEZE_CATEGORY_LABELS } from "@/lib/errors/messages";

export function StatusBadge({ status, freezeCategory }: { status: string; freezeCategory?: string | null }) {
  const label = status === "Frozen" && freezeCategory ? `Frozen: ${FREEZE_CATEGORY_LABELS[freezeCategory] ?? "Other reason"}` : status;
  return <span className={`badge badge-${status.toLowerCase()}`}>{label}</span>;
}
