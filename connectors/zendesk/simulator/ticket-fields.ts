import { contactReasonFieldId, contactReasonOptionId, driverCatalog, orderReferenceFieldId } from './driver-catalog.ts';

/**
 * The account's ticket fields (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/):
 * a few system fields, the "Contact reason" dropdown (type `tagger`) whose option values are the driver
 * catalog's dropdown values, and one free-text custom field.
 */
const stamp = '2024-01-15T09:00:00Z';

interface FieldSpec {
  id: number;
  type: string;
  title: string;
  description: string;
  removable: boolean;
  extra?: Record<string, unknown>;
}

const systemOptions = (values: string[]) =>
  values.map((value) => ({ name: value.charAt(0).toUpperCase() + value.slice(1), value }));

const fieldSpecs: FieldSpec[] = [
  { id: 360000000101, type: 'subject', title: 'Subject', description: '', removable: false },
  { id: 360000000102, type: 'description', title: 'Description', description: 'Please enter the details of your request.', removable: false },
  {
    id: 360000000103,
    type: 'status',
    title: 'Status',
    description: 'Request status',
    removable: false,
    extra: { system_field_options: systemOptions(['new', 'open', 'pending', 'hold', 'solved', 'closed']) },
  },
  {
    id: 360000000104,
    type: 'priority',
    title: 'Priority',
    description: 'Request priority',
    removable: false,
    extra: { system_field_options: systemOptions(['low', 'normal', 'high', 'urgent']) },
  },
  {
    id: contactReasonFieldId,
    type: 'tagger',
    title: 'Contact reason',
    description: 'Why the customer contacted us',
    removable: true,
    extra: {
      custom_field_options: driverCatalog.map((driver, i) => ({
        id: contactReasonOptionId(i),
        name: driver.name,
        raw_name: driver.name,
        value: driver.dropdownValue,
        default: false,
      })),
    },
  },
  { id: orderReferenceFieldId, type: 'text', title: 'Order reference', description: 'Order or contract number', removable: true },
];

export function ticketFields(baseUrl: string): Record<string, unknown>[] {
  return fieldSpecs.map((spec, position) => ({
    url: `${baseUrl}/api/v2/ticket_fields/${spec.id}.json`,
    id: spec.id,
    type: spec.type,
    title: spec.title,
    raw_title: spec.title,
    description: spec.description,
    raw_description: spec.description,
    position,
    active: true,
    required: false,
    collapsed_for_agents: false,
    regexp_for_validation: null,
    title_in_portal: spec.title,
    raw_title_in_portal: spec.title,
    visible_in_portal: spec.type === 'subject' || spec.type === 'description',
    editable_in_portal: spec.type === 'subject' || spec.type === 'description',
    required_in_portal: false,
    tag: null,
    created_at: stamp,
    updated_at: stamp,
    removable: spec.removable,
    key: null,
    agent_description: null,
    ...spec.extra,
  }));
}

/** Cursor over field positions (opaque to clients). */
export function encodeFieldCursor(position: number): string {
  return Buffer.from(`ticket_field:${position}`, 'utf8').toString('base64url');
}

export function decodeFieldCursor(cursor: string): number | null {
  const match = /^ticket_field:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : null;
}
