"use client";

import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { AccountControlState } from "@/lib/dal/admin/account-commands";

import { accountControlAction } from "../../actions";

type Category = { value: string; label: string };

/**
 * Freeze (with a category the customer sees and a note they do not) or unfreeze, each with a
 * mandatory reason. One action state for both forms, so the outcome stays on screen when the page
 * re-renders with the other form. The command id changes only once a command was recorded.
 */
export function AccountControls({
  accountId,
  status,
  categories,
  commandId,
}: {
  accountId: string;
  status: "Active" | "Frozen" | "Closed";
  categories: Category[];
  commandId: string;
}) {
  const [state, action, pending] = useActionState<AccountControlState, FormData>(accountControlAction, { status: "idle", commandId });
  const errorsFor = (intent: "freeze" | "unfreeze") => (state.intent === intent && state.status === "invalid" ? (state.fieldErrors ?? {}) : {});
  const keep = (intent: "freeze" | "unfreeze") => state.intent === intent && (state.status === "invalid" || state.status === "error");
  const tone = state.status === "success" ? "success" : state.status === "rejected" ? "warning" : "error";
  const freezeErrors = errorsFor("freeze");
  const unfreezeErrors = errorsFor("unfreeze");
  return (
    <section className="card admin-controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Controls</h2>
      {state.message ? <FormMessage tone={tone}>{state.message}</FormMessage> : null}
      {status === "Active" ? (
        <form action={action} className="form" aria-labelledby="freeze-title" noValidate>
          <h3 id="freeze-title">Freeze account</h3>
          <p className="muted">
            A frozen account refuses deposits, withdrawals and transfers. The customer sees the category; your reason stays in the back office and the
            audit trail.
          </p>
          <input type="hidden" name="intent" value="freeze" />
          <input type="hidden" name="accountId" value={accountId} />
          <input type="hidden" name="commandId" value={state.commandId} />
          <Field id="freeze-category" label="Category" errors={freezeErrors.category}>
            {(props) => (
              <select
                {...props}
                // React resets a form after its action; a <select> only takes a new default when it mounts.
                key={`${state.commandId}-category-${keep("freeze") ? state.values?.category : ""}`}
                name="category"
                defaultValue={keep("freeze") ? state.values?.category : ""}
              >
                <option value="">Choose a category</option>
                {categories.map((category) => (
                  <option key={category.value} value={category.value}>
                    {category.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="freeze-reason" label="Reason" errors={freezeErrors.reason} hint="Required. What happened, and what would lift the freeze.">
            {(props) => (
              <textarea
                {...props}
                key={`${state.commandId}-freeze-reason`}
                name="reason"
                rows={3}
                maxLength={500}
                defaultValue={keep("freeze") ? state.values?.reason : ""}
              />
            )}
          </Field>
          <button type="submit" className="button danger" disabled={pending} aria-disabled={pending}>
            {pending ? "Freezing…" : "Freeze account"}
          </button>
        </form>
      ) : null}
      {status === "Frozen" ? (
        <form action={action} className="form" aria-labelledby="unfreeze-title" noValidate>
          <h3 id="unfreeze-title">Unfreeze account</h3>
          <input type="hidden" name="intent" value="unfreeze" />
          <input type="hidden" name="accountId" value={accountId} />
          <input type="hidden" name="commandId" value={state.commandId} />
          <Field id="unfreeze-reason" label="Reason" errors={unfreezeErrors.reason} hint="Required. Why the account may be used again.">
            {(props) => (
              <textarea
                {...props}
                key={`${state.commandId}-unfreeze-reason`}
                name="reason"
                rows={3}
                maxLength={500}
                defaultValue={keep("unfreeze") ? state.values?.reason : ""}
              />
            )}
          </Field>
          <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
            {pending ? "Unfreezing…" : "Unfreeze account"}
          </button>
        </form>
      ) : null}
      {status === "Closed" ? <p className="muted">This account is closed: it can be neither frozen nor unfrozen.</p> : null}
    </section>
  );
}
