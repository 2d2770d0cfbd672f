import type { DriverKey } from './driver-catalog.ts';

/**
 * Subject lines per driver. `withPhrase` subjects contain the driver's catalog phrase (and no other
 * driver's); `neutral` subjects talk about the same topic in natural words but contain no catalog
 * phrase at all, so only the dropdown or the tag can classify them (subjects.test.ts checks both).
 */
interface SubjectSet {
  withPhrase: readonly string[];
  neutral: readonly string[];
}

export const subjectsByDriver: Readonly<Record<DriverKey, SubjectSet>> = {
  'configuration/sso': {
    withPhrase: [
      'SAML assertion rejected after IdP certificate rotation',
      'Users see a SAML error when signing in through Okta',
      'Setting up SAML single sign-on for our second domain',
      'SAML login loop on the agent workspace',
    ],
    neutral: [
      'Single sign-on redirect goes to the wrong page',
      'Okta users cannot reach the dashboard',
      'Azure AD sign-in stopped working for new hires',
      'Identity provider setup for our EU team',
    ],
  },
  'configuration/integrations': {
    withPhrase: [
      'Webhook deliveries failing with HTTP 410',
      'Our webhook stopped firing after the update',
      'Webhook signature does not verify',
      'Need to rotate the webhook secret',
    ],
    neutral: [
      'Slack integration stopped posting updates',
      'Salesforce sync is missing new contacts',
      'API key for the Jira connector expired',
      'Connecting our CRM to the help desk',
    ],
  },
  'access/login': {
    withPhrase: [
      'Password reset email never arrives',
      'Password reset link says it has expired',
      'Stuck in a password reset loop',
      'Password reset for a colleague who left',
    ],
    neutral: [
      "Can't log in since this morning",
      'Locked out of my account after too many attempts',
      'Two-factor code not accepted',
      'Please reset my password for the admin account',
    ],
  },
  'billing/invoice': {
    withPhrase: [
      'Invoice shows the wrong company address',
      'Need a copy of the March invoice',
      'VAT number missing on our invoice',
      'Invoice total does not match the quote',
    ],
    neutral: [
      'Question about our latest bill',
      'Billing statement lists seats we removed',
      'Please add a PO number to our billing documents',
      'Who receives our billing emails?',
    ],
  },
  'billing/refund': {
    withPhrase: [
      'Refund request for a duplicate charge',
      'Requesting a refund for unused seats',
      'When will my refund be processed?',
      'Refund not received after downgrade',
    ],
    neutral: [
      'Charged twice this month',
      'Money back for the annual plan we did not use',
      'Card was debited after we downgraded',
      'Credit note for the overcharge',
    ],
  },
  'product/bug': {
    withPhrase: [
      'Getting an error message when exporting reports',
      'Error message on save: something went wrong',
      'Blank page and an error message after the update',
      'Error message when uploading attachments',
    ],
    neutral: [
      'Dashboard chart shows no data',
      'Page crashes when saving a draft',
      'Search returns results from the wrong workspace',
      'Mobile app freezes on launch',
    ],
  },
  'product/how-to': {
    withPhrase: [
      'How do I add a custom field to a form?',
      'How do I export all users to CSV?',
      'How do I change the default language?',
      'how do I set up business hours',
    ],
    neutral: [
      'Where can I find the bulk edit option?',
      'Best way to organise views for a large team',
      'Can I schedule reports to go out weekly?',
      'Looking for guidance on macros',
    ],
  },
  'account/cancellation': {
    withPhrase: [
      'Please cancel my subscription at renewal',
      'I want to cancel my subscription',
      'Cancel my subscription and delete our data',
      'Can you cancel my subscription before the trial ends?',
    ],
    neutral: [
      'We will not renew next year',
      'Closing our account at the end of the term',
      'Stop auto-renewal for our plan',
      'Downgrading to free and leaving',
    ],
  },
};

/** Short first comments; none contains a catalog phrase. */
export const descriptions = [
  'Details below. Thanks for looking into this.',
  'This started today and affects several people on our team.',
  'Could someone get back to me when you have a moment?',
  'See the screenshot attached to the first comment.',
  'Not urgent, but we would like an answer this week.',
] as const;

export function subjectFor(driverKey: DriverKey, withPhrase: boolean, u: number): string {
  const options = withPhrase ? subjectsByDriver[driverKey].withPhrase : subjectsByDriver[driverKey].neutral;
  return options[Math.floor(u * options.length)] ?? options[0] ?? '';
}
