/**
 * Everyday words of support messages in any domain: generic verbs, nouns, time words and fillers. Alone,
 * none of them says a person is needed, however often escalated tickets happened to use them, so mining
 * never learns one of them as a single-word trigger or frustration phrase (a phrase with them may still be).
 */
export const EVERYDAY_WORDS: ReadonlySet<string> = new Set(
  (
    "account accounts order orders payment payments pay paid paying money card cards bank help helped helping " +
    "time times today yesterday tomorrow week weeks month months year years day days hour hours minute minutes " +
    "now later soon already never always ever back again still just sure well good great fine right wrong " +
    "make made making take took taken give gave given send sent call called calling tell told said says say " +
    "asked asking ask think thought see seen look looking find found try tried trying work working works " +
    "going come came keep kept sort sorted change changed check checked update updated use used using able " +
    "people person someone something anything nothing everything thing things problem problems issue issues " +
    "question questions answer answered email emails message messages number phone website online app service " +
    "services customer customers support team company product products item items information info details " +
    "number name address date first last next new old third fourth many much lot lots little enough every " +
    "received receive getting since another because without already actually literally basically anyway"
  ).split(" "),
);
