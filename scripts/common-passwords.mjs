// Writes src/features/users/common-passwords.ts: the bundled list of common passwords that
// passwordProblem() refuses. No download: the roots below are the words, names and keyboard walks
// that top the published leak-derived lists (SecLists, RockYou, NCSC's top 100k), expanded the
// way people vary them (leetspeak); digits and symbols around them are handled by the lookup.
//
//   node scripts/common-passwords.mjs           rewrite the file
//   node scripts/common-passwords.mjs --check   fail when the file is out of date
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'features', 'users', 'common-passwords.ts')

const ROOTS = `
password passwd passw0rd pass qwerty qwertz azerty qwertyuiop asdfgh asdfghjkl zxcvbn zxcvbnm qazwsx
iloveyou iloveu loveyou lovely loveme mylove welcome admin administrator root toor letmein login
master dragon monkey football baseball basketball soccer hockey golf tennis sunshine princess shadow
superman batman spiderman ironman starwars pokemon pikachu naruto goku matrix killer hacker gamer
player monster tiger lion eagle falcon phoenix dolphin butterfly rainbow diamond silver golden
money lucky happy smile mustang ferrari porsche mercedes corvette harley yamaha guitar music
metallica nirvana slipknot eminem secret hello hellokitty friends family forever angel angels
baby babygirl babyboy sweety sweetie honey blessed jesus christ heaven trustno1 whatever nothing
freedom america liberty computer internet google facebook samsung apple microsoft windows linux
ubuntu oracle cisco server system database access default guest test testing tester user temp
changeme letmein chatbase office company business london paris berlin tokyo china india canada
mexico brazil russia summer winter spring autumn flower flowers purple orange yellow banana cheese
cookie cookies chocolate pepper ginger buster tigger charlie hunter ranger thunder lightning
michael jennifer jordan jessica ashley daniel thomas robert william joshua andrew matthew anthony
joseph david james john richard chris christian kevin brian steven george mike michelle nicole
melissa amanda sarah maria anna alex alexander alexandra victoria elizabeth samantha natasha
jasmine justin austin dallas yankees cowboys eagles steelers lakers packers redsox patriots
liverpool chelsea arsenal barcelona madrid manchester united juventus milan
qweasd qweasdzxc zaq1xsw2 1qaz2wsx 1q2w3e4r 1q2w3e q1w2e3r4 abc abcd abcde abcdef abcdefg
abcdefgh abc123 a1b2c3 aaaaaa asdasd asdfasdf qwerqwer zzzzzz
monkey dragon shadow master jordan23 michael23 lebron kobe24 messi ronaldo neymar
starlight moonlight midnight sunset sunflower strawberry blueberry raspberry pineapple
watermelon coconut peanut butter jellybean cupcake candy sugar bubbles sparkle
kitten kitty puppy doggie snoopy garfield mickey minnie donald goofy scooby tweety
bandit rocket rockstar rockyou superstar star stars galaxy universe cosmos planet
soccer1 football1 baseball1 password1 qwerty1 dragon1 monkey1 iloveyou1
welcome1 admin1 letmein1 master1 shadow1 sunshine1 princess1 superman1 batman1
hannah emily olivia sophia isabella chloe grace lily madison abigail ella
jacob ethan noah liam mason logan lucas benjamin jack harry oliver charlie
peter paul mark luke simon kelly jason eric ryan tyler brandon aaron adam
hello123 welcome123 love123 baby123 angel123
fuckyou fuckoff asshole bitch
iloveyou2 ilovegod godisgood jesus1 jesuschrist
naruto1 sasuke itachi onepiece luffy zoro dragonball vegeta
minecraft fortnite roblox warcraft diablo zelda mario luigi sonic
qwerty123 qwertyuiop123 asdfghjkl123 zxcvbnm123
letmein! changeme! welcome! password!
`

const PATTERNS = [
  '1234567890', '12345678901', '123456789012', '1234567890123', '0123456789', '01234567890',
  '0987654321', '9876543210', '09876543210', '1111111111', '1234512345', '1234554321', '1122334455',
  '1212121212', '1231231231', '123123123123', '1472583690', '1478963250', '3692581470', '1597534560',
  '7894561230', '1234567899', '1234567891', '12345678910', '123456789a', 'a123456789', '123456789q',
  'q123456789', '1234567890q', 'qwertyuiop', 'qwertyuiopasdfghjkl', 'asdfghjkl;', 'zxcvbnm,./',
  'qwertyuiop[]', '1q2w3e4r5t', '1q2w3e4r5t6y', '1q2w3e4r5t6y7u', 'q1w2e3r4t5', 'q1w2e3r4t5y6',
  '1qaz2wsx3edc', '1qaz2wsx3edc4rfv', 'qazwsxedc', 'qazwsxedcrfv', 'qazwsxedc123', 'zaq12wsx',
  'zaq1zaq1', '!qaz2wsx', '!qaz@wsx', '1qaz!qaz', 'qwer1234', 'qwer12345', 'qwerty1234', 'qwerty12345',
  'qwerty123456', 'asdf1234', 'asdf12345', 'asdfgh123', 'zxcv1234', 'abcd1234', 'abcd12345',
  'abc1234567', 'abc123456', 'abc12345678', 'a1b2c3d4e5', 'a1b2c3d4e5f6', '1a2b3c4d5e', '123qwe123',
  '123qweasd', '123qweasdzxc', 'qweasdzxc123', '1qazxsw2', '1qazxsw23edc', 'abcdefghij',
  'abcdefghijk', 'abcdefghijkl', 'abcdefghijklm', 'abcdefghijklmnop', 'abcdefghijklmnopqrstuvwxyz',
  'zyxwvutsrq', 'qwertyqwerty', 'asdfasdfasdf', 'passwordpassword', 'password1234567890',
  'iloveyouiloveyou', 'letmeinletmein', 'trustno1trustno1', 'correcthorsebatterystaple',
  'correct horse battery staple', 'thequickbrownfox', 'thequickbrownfoxjumpsoverthelazydog',
  'iloveyoubaby', 'iloveyousomuch', 'iloveyouforever', 'iloveyoumom', 'ilovemymom', 'ilovemyself',
  'ilovemyfamily', 'ilovejesus', 'jesusloves', 'jesuslovesme', 'godisgreat', 'godislove',
  'blessed1234', 'lovelove', 'babylove', 'mybaby', 'sexylady', 'sexyboy', 'sexygirl', 'prettygirl',
  'princesa', 'contraseña', 'contrasena', 'passwort', 'motdepasse', 'wachtwoord', 'senha123',
  'parola', 'salasana', 'haslo', 'heslo', 'jelszo', 'lozinka', 'sifre', 'mima', 'woaini', 'woaini1314',
  'woaini520', 'wodemima', 'aini1314', '5201314', '52013145201314', '1314520', 'qq123456',
  'homeoffice', 'workfromhome', 'covid19', 'coronavirus', 'lockdown', 'blackhole',
  'administrator1', 'administrator123', 'adminadmin', 'adminadmin123', 'admin@123', 'admin12345',
  'admin123456', 'root123456', 'rootroot', 'toortoor', 'changeme123', 'changemenow', 'newpassword',
  'new password', 'mypassword', 'my password', 'yourpassword', 'thepassword', 'passwordis',
  'password is', 'secretpassword', 'supersecret', 'topsecret', 'verysecret', 'nopassword',
  'no password', 'forgotpassword', 'defaultpassword', 'temppassword', 'temporary', 'temppass',
  'testtest', 'test12345', 'test123456', 'testing123', 'testpassword', 'letmeinnow', 'openopen',
  'opensesame', 'open sesame', 'welcomehome', 'welcome2u', 'welcome@123', 'hello world',
  'helloworld', 'helloworld123', 'goodmorning', 'goodnight', 'happybirthday', 'happydays',
  'whatever123', 'whatsup', 'nothing123', 'somebody', 'everybody', 'anything', 'everything',
  'qwertyui', 'asdfghjk', 'zxcvbnma', 'poiuytrewq', 'lkjhgfdsa', 'mnbvcxz', '147258369',
  '159357', '159753', '741852963', '963852741', '789456123', '456789123', '321654987',
]

// One substitution at a time, and the usual all-at-once spelling (p@$$w0rd).
const LEET = [
  [/a/g, '@'], [/a/g, '4'], [/o/g, '0'], [/e/g, '3'], [/i/g, '1'], [/s/g, '$'], [/s/g, '5'],
]
const leetVariants = (word) => [
  ...LEET.map(([from, to]) => word.replace(from, to)),
  word.replace(/a/g, '@').replace(/o/g, '0').replace(/e/g, '3').replace(/i/g, '1').replace(/s/g, '$'),
]

// Digits and symbols around a root are stripped before the lookup (passwordProblem), so the
// list holds roots, not "root" + "123", "root" + "2024", "root!" ...
const words = ROOTS.split(/\s+/).map((w) => w.trim().toLowerCase()).filter((w) => w.length >= 3)
const entries = new Set()
for (const word of words) for (const variant of [word, ...leetVariants(word)]) entries.add(variant)
for (const pattern of PATTERNS) entries.add(pattern.toLowerCase())
for (const char of '0123456789abcdefghijklmnopqrstuvwxyz') for (let n = 10; n <= 16; n++) entries.add(char.repeat(n))

const sorted = [...entries].sort()
const source = `// Generated by scripts/common-passwords.mjs (node scripts/common-passwords.mjs); do not edit by hand.
// ${sorted.length} common passwords, lower case: passwordProblem() refuses these, also with digits
// or symbols added before or after (password123!, 2024dragon).
const LIST = ${JSON.stringify(sorted.join('\n'))}

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split('\\n'))
`

if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== source) {
    console.error('src/features/users/common-passwords.ts is out of date: run node scripts/common-passwords.mjs')
    process.exit(1)
  }
} else {
  writeFileSync(target, source)
  console.log(`wrote ${sorted.length} common passwords to ${path.relative(process.cwd(), target)}`)
}
