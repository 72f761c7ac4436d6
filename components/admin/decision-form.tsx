import { Field } from "@/components/ui/field";

type Decision = { value: string; label: string; danger?: boolean };

/**
 * The back office's decide-with-a-reason form (release or reject a held transfer, release or return
 * an inbound payment, approve or decline a request): hidden fields name the item, the reason is
 * required and audited. `kept`: this item's last submit was refused, so its typed reason stays.
 */
export function DecisionForm({
  action,
  label,
  fields,
  idPrefix,
  errors,
  kept,
  keptReason,
  hint = "Required for either decision; recorded in the audit trail.",
  decisions,
  pending,
}: {
  action: (formData: FormData) => void;
  label: string;
  fields: Record<string, string | number>;
  idPrefix: string;
  errors?: string[];
  kept: boolean;
  keptReason?: string;
  hint?: string;
  decisions: readonly [Decision, Decision];
  pending: boolean;
}) {
  return (
    <form action={action} className="form" aria-label={label} noValidate>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Field id={`${idPrefix}-reason`} label="Reason" errors={kept ? errors : undefined} hint={hint}>
        {(props) => (
          <textarea
            {...props}
            key={`${idPrefix}-${kept ? "kept" : "fresh"}`}
            name="reason"
            rows={2}
            maxLength={500}
            defaultValue={kept ? keptReason : ""}
          />
        )}
      </Field>
      <div className="actions">
        {decisions.map((decision) => (
          <button
            key={decision.value}
            type="submit"
            name="decision"
            value={decision.value}
            className={decision.danger ? "button danger" : "button"}
            disabled={pending}
            aria-disabled={pending}
          >
            {decision.label}
          </button>
        ))}
      </div>
    </form>
  );
}
