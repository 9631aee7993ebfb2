/** A normalised value and the transformation that produced it, for field-level provenance. */
export interface Normalized<T> {
  value: T;
  transformation: string;
}
