/**
 * The contact-driver catalog shared by the Zendesk simulator's ground truth, the demo configuration
 * and the tests (src/main/demo/frontline.demo.yaml holds the same catalog as rules). Each simulated
 * ticket has a true driver and carries a signal — the "Contact reason" dropdown value (also in
 * `tags`), a driver tag, or a subject phrase — that the demo rules (dropdown rules, then tag rules,
 * then case-insensitive subject rules) map back to it.
 */
export type OwningFunction = 'engineering' | 'operations' | 'finance' | 'product' | 'customer_success';

export interface DriverDefinition {
  readonly key: string;
  readonly name: string;
  readonly owningFunction: OwningFunction;
  /** Option value of the "Contact reason" dropdown; Zendesk also adds it to the ticket's `tags`. */
  readonly dropdownValue: string;
  readonly tag: string;
  /** Case-insensitive substring the subject rule looks for. */
  readonly subjectPhrase: string;
}

export const driverCatalog = [
  { key: 'configuration/sso', name: 'SSO configuration', owningFunction: 'engineering', dropdownValue: 'cr_sso', tag: 'sso', subjectPhrase: 'SAML' },
  { key: 'configuration/integrations', name: 'Integrations setup', owningFunction: 'engineering', dropdownValue: 'cr_integrations', tag: 'integration', subjectPhrase: 'webhook' },
  { key: 'access/login', name: 'Login and access', owningFunction: 'operations', dropdownValue: 'cr_login', tag: 'login', subjectPhrase: 'password reset' },
  { key: 'billing/invoice', name: 'Invoices', owningFunction: 'finance', dropdownValue: 'cr_invoice', tag: 'invoice', subjectPhrase: 'invoice' },
  { key: 'billing/refund', name: 'Refunds', owningFunction: 'finance', dropdownValue: 'cr_refund', tag: 'refund', subjectPhrase: 'refund' },
  { key: 'product/bug', name: 'Product defects', owningFunction: 'engineering', dropdownValue: 'cr_bug', tag: 'bug', subjectPhrase: 'error message' },
  { key: 'product/how-to', name: 'How-to questions', owningFunction: 'product', dropdownValue: 'cr_howto', tag: 'how_to', subjectPhrase: 'how do I' },
  { key: 'account/cancellation', name: 'Cancellations', owningFunction: 'customer_success', dropdownValue: 'cr_cancel', tag: 'cancel', subjectPhrase: 'cancel my subscription' },
] as const satisfies readonly DriverDefinition[];

export type DriverKey = (typeof driverCatalog)[number]['key'];

/** Truth key for tickets that carry no driver signal at all (the taxonomy cannot classify them). */
export const unmatchedDriverKey = 'unmatched';

/** Zendesk custom field id of the "Contact reason" dropdown (field type `tagger`). */
export const contactReasonFieldId = 360000001001;

/** Free-text custom field that is never a driver signal. */
export const orderReferenceFieldId = 360000001002;

/** Dropdown option id of the catalog entry at `index` (catalog order). */
export function contactReasonOptionId(index: number): number {
  return 360000101001 + index;
}

/** Tags that appear on tickets but must never match a driver rule. */
export const noiseTags = ['enterprise', 'eu', 'mobile', 'priority_support', 'trial', 'vip', 'web'] as const;

export function driverIndexOf(key: string): number {
  return driverCatalog.findIndex((driver) => driver.key === key);
}
