import type { ReactNode } from 'react';
import type { SpecForm } from '../lib/spec-form';

export type Option = string | { value: string; label: string };

export interface FieldOptions {
  /** A select of these values; without, a text input (or a checkbox for a boolean field). */
  options?: readonly Option[];
  hint?: string;
  size?: number;
}

/** Renders the form's field `key` (a dotted spec path) with its label, hint and error: `field(key, label, options)`. */
export type FieldRenderer = (key: string, label: string, opts?: FieldOptions) => ReactNode;

/** The field renderer of a form state: values from `form`, messages from `errors`, edits through `set`. */
export function fieldRenderer(
  form: SpecForm,
  errors: Readonly<Record<string, string>>,
  set: (key: string, value: string | boolean) => void,
): FieldRenderer {
  return (key, label, opts = {}) => (
    <FormField key={key} name={key} label={label} opts={opts} value={form[key]} error={errors[key]} set={set} />
  );
}

function FormField(props: {
  name: string;
  label: string;
  opts: FieldOptions;
  value: string | boolean | undefined;
  error: string | undefined;
  set: (key: string, value: string | boolean) => void;
}) {
  const { name: key, opts, value: v, error: err, set } = props;
  const id = `f-${key.replace(/\./g, '-')}`;
  return (
    <div className="field">
      <span>
        <label htmlFor={id}>{props.label}</label>
        {opts.hint && <span className="muted"> · {opts.hint}</span>}
      </span>
      {typeof v === 'boolean' ? (
        <input
          id={id}
          type="checkbox"
          checked={v}
          onChange={(e) => set(key, e.target.checked)}
          aria-invalid={err ? true : undefined}
          style={{ alignSelf: 'flex-start' }}
        />
      ) : opts.options ? (
        <select
          id={id}
          value={v ?? ''}
          onChange={(e) => set(key, e.target.value)}
          aria-invalid={err ? true : undefined}
          aria-describedby={err ? `${id}-err` : undefined}
        >
          {opts.options.map((o) => {
            const { value, label: l } = typeof o === 'string' ? { value: o, label: o } : o;
            return (
              <option key={value} value={value}>
                {l}
              </option>
            );
          })}
        </select>
      ) : (
        <input
          id={id}
          value={v ?? ''}
          size={opts.size}
          onChange={(e) => set(key, e.target.value)}
          aria-invalid={err ? true : undefined}
          aria-describedby={err ? `${id}-err` : undefined}
        />
      )}
      {err && (
        <span className="field-error" id={`${id}-err`} data-field={key}>
          {err}
        </span>
      )}
    </div>
  );
}
