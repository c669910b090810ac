import type { StepStatus, Stream } from '../contracts';
import type { Job } from './job';
import type { StepWriter } from './step-writer';

/**
 * A logger sink in the spirit of PreviewHQ's KafkaLoggingHandler: the platform that runs a
 * user's build logs through one handler, and each record says whether it is the user's
 * output or the platform's own chatter (pulling images, retries, internal timings).
 *
 * The split happens HERE, at the producer, never in the reader: internal records go to a
 * separate step created with `internal: true` (hidden by default in the viewer, still there
 * for the platform's engineers), or are dropped before they leave the process. A viewer can
 * therefore never leak platform lines by filtering wrongly; they are not in the user's step.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  message: string;
  level?: LogLevel;
  /** true for platform-internal records */
  internal?: boolean;
}

export interface LogSinkOptions {
  /** where internal records go: a hidden internal step, or nowhere */
  internal: 'step' | 'drop';
  /** the user-visible step (default `logs`) */
  step?: string;
  stepName?: string;
  /** the internal step (default `<step>.internal`) */
  internalStep?: string;
  /** prefix each line with its level, e.g. `[warn] …` (default false: messages as written) */
  levelPrefix?: boolean;
}

export interface LogSink {
  /** Routes one record; resolves when there is room for more (backpressure). */
  emit(record: LogRecord): Promise<void>;
  /** Shorthands: user records. */
  info(message: string): Promise<void>;
  warn(message: string): Promise<void>;
  error(message: string): Promise<void>;
  /** Shorthand: a platform-internal record. */
  internal(message: string, level?: LogLevel): Promise<void>;
  flush(): Promise<void>;
  /** Ends the user step with `status` and the internal step (if any) with success. */
  end(status: StepStatus): Promise<void>;
}

export function createLogSink(job: Job, options: LogSinkOptions): LogSink {
  const stepId = options.step ?? 'logs';
  const user = job.step(stepId, options.stepName === undefined ? {} : { name: options.stepName });
  let internal: StepWriter | undefined;
  const internalWriter = (): StepWriter => {
    internal ??= job.step(options.internalStep ?? `${stepId}.internal`, { name: `${stepId} (internal)`, internal: true });
    return internal;
  };

  const emit = (record: LogRecord): Promise<void> => {
    const level = record.level ?? 'info';
    const stream: Stream = level === 'warn' || level === 'error' ? 'err' : 'out';
    const text = options.levelPrefix ? `[${level}] ${record.message}` : record.message;
    if (record.internal) {
      if (options.internal === 'drop') return Promise.resolve();
      return internalWriter().line(text, stream);
    }
    return user.line(text, stream);
  };

  return {
    emit,
    info: (message) => emit({ message, level: 'info' }),
    warn: (message) => emit({ message, level: 'warn' }),
    error: (message) => emit({ message, level: 'error' }),
    internal: (message, level = 'info') => emit({ message, level, internal: true }),
    flush: async () => {
      await Promise.all([user.flush(), internal?.flush()]);
    },
    end: async (status) => {
      await Promise.all([user.end(status), internal?.end('success')]);
    },
  };
}
