// `await using` needs `Symbol.asyncDispose`. Node has it from 20.4 (and 18.18) on; the releases
// before lack it, and a class member named `[Symbol.asyncDispose]` would then be a method called
// "undefined". Defined here the way Node defines it (a registered symbol), before any class of
// Kestrion's that has such a member is evaluated: InMemoryStore's module and the store-kit entry
// import this, and KyselyStore and Agent load core first.
const symbols = Symbol as unknown as { asyncDispose?: symbol };
symbols.asyncDispose ??= Symbol.for('nodejs.asyncDispose');

export {};
