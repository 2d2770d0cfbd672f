import type { ZendeskTicketField } from './raw-schemas.ts';

/**
 * Dropdown labels by field id: for `tagger` (dropdown) and `multiselect` fields, option value (the
 * tag Zendesk stores in `custom_fields[].value`) → option name (what agents see).
 */
export interface FieldInfo { title: string; type: string; options: ReadonlyMap<string, string> }
export type FieldLabels = ReadonlyMap<string, FieldInfo>;

export const noFieldLabels: FieldLabels = new Map();

export function fieldLabelsFrom(fields: readonly ZendeskTicketField[]): FieldLabels {
  const labels = new Map<string, FieldInfo>();
  for (const field of fields) {
    const options = new Map<string, string>();
    for (const option of field.custom_field_options ?? []) options.set(option.value, option.name);
    labels.set(String(field.id), { title: field.title, type: field.type, options });
  }
  return labels;
}
