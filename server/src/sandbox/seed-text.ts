import type { Random } from './seed-random';

/**
 * Human-looking names and emails for the seeded dataset (the prompts are in seed-prompts.ts). Emails use reserved domains
 * (RFC 2606/6761 `.example`, `example.com`) so a demo never shows a real person's address.
 */

const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Amelia',
  'Oliver',
  'Sophia',
  'Elijah',
  'Mia',
  'James',
  'Charlotte',
  'William',
  'Ava',
  'Benjamin',
  'Isabella',
  'Lucas',
  'Harper',
  'Henry',
  'Evelyn',
  'Theodore',
  'Aisha',
  'Mohammed',
  'Fatima',
  'Omar',
  'Priya',
  'Arjun',
  'Ananya',
  'Rohan',
  'Mei',
  'Wei',
  'Yuki',
  'Haruto',
  'Sakura',
  'Min-jun',
  'Ji-woo',
  'Chloé',
  'Léa',
  'Hugo',
  'José',
  'María',
  'Sofía',
  'Mateo',
  'Valentina',
  'Santiago',
  'Lucía',
  'Zoë',
  'Søren',
  'Ingrid',
  'Astrid',
  'Lars',
  'Łukasz',
  'Zofia',
  'Jakub',
  'Anna',
  'Dmitri',
  'Olga',
  'Nikolai',
  'Chiara',
  'Giulia',
  'Marco',
  'Kwame',
  'Amara',
  'Chinedu',
  'Zainab',
  'Tunde',
  'Leila',
  'Darius',
  'Noor',
  'Elif',
  'Emre',
  'Grace',
  'Samuel',
  'Hannah',
  'Daniel',
  'Ruby',
  'Jack',
  'Isla',
  'Finn',
  'Freya',
  'Oscar',
  'Nora',
  'Eli',
  'Maya',
  'Leo',
  'Ivy',
  'Kai',
  'Luna',
  'Ezra',
  'Aria',
  'Milo',
  'Jordan',
  'Taylor',
  'Alex',
  'Sam',
  'Robin',
  'Jamie',
  'Avery',
  'Quinn',
  'Rowan',
  'Sage',
];

const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernández',
  'López',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Pérez',
  'Thompson',
  'White',
  'Harris',
  'Sánchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  "O'Brien",
  "O'Connor",
  'McAllister',
  'MacDonald',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Dubois',
  'Lefèvre',
  'Moreau',
  'Rossi',
  'Russo',
  'Ferrari',
  'Kowalski',
  'Nowak',
  'Wiśniewski',
  'Ivanov',
  'Petrov',
  'Novák',
  'Jensen',
  'Nielsen',
  'Hansen',
  'Andersson',
  'Johansson',
  'Virtanen',
  'Yamamoto',
  'Tanaka',
  'Suzuki',
  'Kim',
  'Park',
  'Choi',
  'Chen',
  'Wang',
  'Zhang',
  'Liu',
  'Patel',
  'Sharma',
  'Singh',
  'Gupta',
  'Khan',
  'Ali',
  'Hussain',
  'Okafor',
  'Mensah',
  'Adeyemi',
  'Abara',
  'Haddad',
  'Yilmaz',
  'Demir',
  'Cohen',
  'Levi',
  'Silva',
  'Santos',
  'Oliveira',
  'Costa',
  'da Silva',
  'van der Berg',
  'de Jong',
];

const DOMAINS: readonly (readonly [string, number])[] = [
  ['example.com', 30],
  ['example.org', 12],
  ['example.net', 10],
  ['mail.example', 10],
  ['inbox.example', 6],
  ['acme.example', 4],
  ['globex.example', 3],
  ['initech.example', 3],
  ['umbrella.example', 2],
  ['northwind.example', 2],
  ['studio.example', 2],
  ['university.example', 3],
];

export interface PersonName {
  firstName: string;
  /** null for people who gave only one name (about 4 %) */
  lastName: string | null;
}

export function pickName(r: Random): PersonName {
  return { firstName: r.pick(FIRST_NAMES), lastName: r.chance(0.04) ? null : r.pick(LAST_NAMES) };
}

/** The app's rule (SPEC §6.2): `[firstName, lastName]` joined by a space, empty parts dropped. */
export function fullName(name: PersonName): string {
  return [name.firstName, name.lastName].filter((part) => part !== null && part !== '').join(' ');
}

const TRANSLITERATE: Record<string, string> = { ł: 'l', Ł: 'l', ø: 'o', Ø: 'o', ß: 'ss', æ: 'ae' };

const emailParts = new Map<string, string>();

/** "Łukasz Wiśniewski" → "lukasz", "wisniewski" (memoized: names come from a small pool) */
function emailPart(value: string): string {
  let part = emailParts.get(value);
  if (part === undefined) {
    part = asciiLower(value);
    emailParts.set(value, part);
  }
  return part;
}

function asciiLower(value: string): string {
  return value
    .replace(/[łŁøØßæ]/g, (c) => TRANSLITERATE[c] ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

/**
 * A plausible address for the person, unique within `taken` (a counter is appended on a clash).
 * Always lowercase: Clerk stores addresses lowercased and the app keys `email:` on the lowercase form.
 */
export function pickEmail(r: Random, name: PersonName, taken: Set<string>, domain?: string): string {
  const first = emailPart(name.firstName) || 'user';
  const last = name.lastName ? emailPart(name.lastName) : '';
  const style = r.int(0, 4);
  let local: string;
  if (!last) local = `${first}${r.int(1, 999)}`;
  else if (style === 0) local = `${first}.${last}`;
  else if (style === 1) local = `${first[0]}${last}`;
  else if (style === 2) local = `${first}_${last}${r.int(1, 99)}`;
  else if (style === 3) local = `${first}${last[0]}`;
  else local = `${last}.${first}`;
  const host = domain ?? r.weighted(DOMAINS);
  let email = `${local}@${host}`;
  for (let n = 2; taken.has(email); n++) email = `${local}${n}@${host}`;
  taken.add(email);
  return email;
}

export function otherDomain(r: Random, email: string): string {
  const current = email.slice(email.indexOf('@') + 1);
  let next = r.weighted(DOMAINS);
  while (next === current) next = r.weighted(DOMAINS);
  return next;
}
