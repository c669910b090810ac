import 'server-only';
/**
 * Subject layout. One log stream per deployment (`<prefix>.>`), one meta stream (`<prefix>_meta.>`).
 *
 *   <prefix>.<job>.job            job event (status/title changed)
 *   <prefix>.<job>.step.<step>    step event: the StepMeta after the change
 *   <prefix>.<job>.lines.<step>   a batch of ≤ 1000 consecutive lines, or the step's seal
 *   <prefix>.<job>.end            the end-of-stream sentinel
 *   <prefix>.<job>.deleted        the job was deleted (live subscribers end); purged by a re-create
 *   <prefix>_meta.job.<job>       the job record (metadata, token hash, masks); one per subject
 *   <prefix>_meta.idx.<job>.<step>.<k>  stream sequence of the message holding line k·1000+1
 *   <prefix>_meta.lease.<task>    who runs a background task (runExclusive) until when
 *   <prefix>_raw.<job>.<step>     the step's raw text (AppendBatch.raw) in chunks, in order (raw.ts);
 *                                 its own stream, so job subscribers never receive it
 *
 * So one consumer filtered on `<prefix>.<job>.>` replays a job in order, the stream sequence
 * is the cursor, and the `lines.<step>` subject's last message is the step's tail (CAS target).
 */

/**
 * Subject tokens cannot hold `.`, `*`, `>` or whitespace, and ids may contain `.`: everything
 * outside [A-Za-z0-9-] becomes `_<hex code point>_`. Injective, since `_` always opens an escape.
 */
export function encodeToken(id: string): string {
  let out = '';
  for (const ch of id) {
    out += /[A-Za-z0-9-]/.test(ch) ? ch : `_${(ch.codePointAt(0) ?? 0).toString(16)}_`;
  }
  return out;
}

export function decodeToken(token: string): string {
  return token.replace(/_([0-9a-f]+)_/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
}

export class Subjects {
  readonly logStream: string;
  readonly metaStream: string;
  readonly metaPrefix: string;

  constructor(readonly prefix: string) {
    this.logStream = `LOGSCOPE_${prefix.toUpperCase()}`;
    this.metaStream = `LOGSCOPE_${prefix.toUpperCase()}_META`;
    this.metaPrefix = `${prefix}_meta`;
    this.rawStream = `LOGSCOPE_${prefix.toUpperCase()}_RAW`;
    this.rawPrefix = `${prefix}_raw`;
  }

  readonly rawStream: string;
  readonly rawPrefix: string;

  raw(jobId: string, stepId: string): string {
    return `${this.rawPrefix}.${encodeToken(jobId)}.${encodeToken(stepId)}`;
  }
  rawAll(jobId: string): string {
    return `${this.rawPrefix}.${encodeToken(jobId)}.>`;
  }

  job(jobId: string): string {
    return `${this.prefix}.${encodeToken(jobId)}.job`;
  }
  jobAll(jobId: string): string {
    return `${this.prefix}.${encodeToken(jobId)}.>`;
  }
  step(jobId: string, stepId: string): string {
    return `${this.prefix}.${encodeToken(jobId)}.step.${encodeToken(stepId)}`;
  }
  lines(jobId: string, stepId: string): string {
    return `${this.prefix}.${encodeToken(jobId)}.lines.${encodeToken(stepId)}`;
  }
  end(jobId: string): string {
    return `${this.prefix}.${encodeToken(jobId)}.end`;
  }
  deleted(jobId: string): string {
    return `${this.prefix}.${encodeToken(jobId)}.deleted`;
  }
  /** One kind of the job's log subjects: `step`, `job`, `end`, `lines`, `deleted`. */
  jobKind(jobId: string, kind: string): string {
    return `${this.prefix}.${encodeToken(jobId)}.${kind}${kind === 'step' || kind === 'lines' ? '.>' : ''}`;
  }
  indexAll(jobId: string): string {
    return `${this.metaPrefix}.idx.${encodeToken(jobId)}.>`;
  }
  lease(task: string): string {
    return `${this.metaPrefix}.lease.${encodeToken(task)}`;
  }
  record(jobId: string): string {
    return `${this.metaPrefix}.job.${encodeToken(jobId)}`;
  }
  records(): string {
    return `${this.metaPrefix}.job.*`;
  }
  index(jobId: string, stepId: string, block: number): string {
    return `${this.metaPrefix}.idx.${encodeToken(jobId)}.${encodeToken(stepId)}.${block}`;
  }
  /** Which kind of log message a subject is (the token after the job). */
  kindOf(subject: string): string | undefined {
    return subject.split('.')[2];
  }
}
