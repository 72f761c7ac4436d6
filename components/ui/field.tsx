/** A labelled input with its error messages tied to it for screen readers. */
export function Field({
  id,
  label,
  errors,
  hint,
  children,
}: {
  id: string;
  label: string;
  errors?: string[];
  hint?: string;
  children: (props: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => React.ReactNode;
}) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, errors?.length ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {children({ id, "aria-describedby": describedBy, "aria-invalid": errors?.length ? true : undefined })}
      <div id={errorId} className="field-error" aria-live="polite">
        {errors?.map((message) => (
          <p key={message}>{message}</p>
        ))}
      </div>
    </div>
  );
}

/** A form-level message: errors are announced assertively, successes politely. */
export function FormMessage({ tone, children }: { tone: "success" | "error" | "warning"; children: React.ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "success" ? "status" : "alert"}>
      {children}
    </div>
  );
}

/** A labelled choice among `options`, with an optional first choice of no value ("Choose an account"). */
export function SelectField({
  id,
  name = id,
  label,
  errors,
  hint,
  options,
  empty,
  defaultValue,
}: {
  id: string;
  name?: string;
  label: string;
  errors?: string[];
  hint?: string;
  options: readonly { id: string; label: string }[];
  empty?: string;
  defaultValue?: string;
}) {
  return (
    <Field id={id} label={label} errors={errors} hint={hint}>
      {(props) => (
        <select {...props} name={name} defaultValue={defaultValue}>
          {empty !== undefined ? <option value="">{empty}</option> : null}
          {options.map((option) => (
            <option key={option.id} value={option.id}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
