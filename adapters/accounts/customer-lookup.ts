/**
 * One definition of "this customer answers this lookup" for every provider: id, phone (normalised to
 * E.164, so `whatsapp:+1...` and `(415) 555-0101` match) and e-mail (case and spaces ignored), all given
 * fields must match. Null: the lookup can match nobody (an unusable phone, or no field at all).
 */
import { normalisePhoneNumber } from "../../src/domain/phone-number.js";
import type { Customer, CustomerLookup } from "../../src/ports/account-provider.js";

export interface NormalisedLookup {
  id?: string;
  phone?: string;
  email?: string;
  matches: (customer: Customer) => boolean;
}

const foldEmail = (email: string): string => email.trim().toLowerCase();

export function normaliseLookup(lookup: CustomerLookup): NormalisedLookup | null {
  const phone = lookup.phone === undefined ? undefined : normalisePhoneNumber(lookup.phone);
  if (phone === null) return null;
  const email = lookup.email === undefined ? undefined : foldEmail(lookup.email);
  if (lookup.id === undefined && phone === undefined && email === undefined) return null;
  return {
    ...(lookup.id !== undefined ? { id: lookup.id } : {}),
    ...(phone !== undefined ? { phone } : {}),
    ...(email !== undefined ? { email } : {}),
    matches: (customer) =>
      (lookup.id === undefined || customer.id === lookup.id) &&
      (phone === undefined || (customer.phone !== undefined && normalisePhoneNumber(customer.phone) === phone)) &&
      (email === undefined || foldEmail(customer.email) === email),
  };
}
