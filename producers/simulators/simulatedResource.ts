import type { Prng } from './prng.js';
import { type IndexEntry, RecordStore } from './recordStore.js';

/** How one resource's records are generated and changed; pure functions of their inputs. */
export interface ResourceBehaviour<T> {
  readonly name: string;
  /** Seed records generated at start. */
  readonly count: number;
  /** Included when a mutation names no resource. */
  readonly primary: boolean;
  /** Natural key of the seed (or created) record number `n` (0-based). */
  idFor(n: number): string;
  /** Change time of seed record `seq`, epoch ms; equal to the time inside generate(seq). */
  seedTime(seq: number): number;
  /** Seed record `seq`, regenerated identically on every call. */
  generate(seq: number): T;
  create(prng: Prng, id: string, at: number): T;
  update(prng: Prng, current: T, at: number): T;
}

/** A resource's behaviour bound to its store, plus the counter that numbers created records. */
export class SimulatedResource<T> {
  readonly store: RecordStore<T>;
  private nextNumber: number;

  constructor(readonly behaviour: ResourceBehaviour<T>) {
    this.store = new RecordStore<T>({ name: behaviour.name, generate: (seq) => behaviour.generate(seq) });
    this.store.load(seedEntries(behaviour));
    this.nextNumber = behaviour.count;
  }

  get name(): string {
    return this.behaviour.name;
  }

  newId(): string {
    const id = this.behaviour.idFor(this.nextNumber);
    this.nextNumber++;
    return id;
  }
}

function* seedEntries<T>(behaviour: ResourceBehaviour<T>): Generator<IndexEntry> {
  for (let seq = 0; seq < behaviour.count; seq++) {
    yield { id: behaviour.idFor(seq), at: behaviour.seedTime(seq), seq };
  }
}
