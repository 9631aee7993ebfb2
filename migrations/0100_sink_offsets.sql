-- Offsets the PostgreSQL sink has applied, written in the same transaction as the rows they cover.
-- next_offset is the next Kafka offset to read; it only ever moves forward (compare-and-set in the sink).
CREATE TABLE tributary_sink_offsets (
  group_id    text    NOT NULL,
  topic       text    NOT NULL,
  partition   integer NOT NULL CHECK (partition >= 0),
  next_offset bigint  NOT NULL CHECK (next_offset >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);
