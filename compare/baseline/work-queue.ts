/** What a consumer needs from its queue, whatever the design behind it (List, reliable List, Stream). */
export interface TakenMessage {
  /** The message exactly as stored: QueuedPaymentRequest JSON. */
  raw: string;
  /** stream: the entry id. */
  entryId?: string;
}

export interface WorkQueue {
  /** Prepares the queue (consumer group, registration, own leftovers). */
  start(): Promise<void>;
  /** One message, or null when none came within the poll interval. */
  take(): Promise<TakenMessage | null>;
  /**
   * Stores a payment's result (`fields`, HSET pairs; empty when it was final already) and removes
   * the message from the queue — in one Lua step where the design has somewhere to remove it from.
   */
  complete(taken: TakenMessage, statusKey: string, fields: string[]): Promise<void>;
  /** Removes a message no one can process (unreadable), keeping it where the design allows. */
  reject(taken: TakenMessage, statusKey: string | undefined, reason: string): Promise<void>;
  /** Stops background work (heartbeats, reaper); leaves messages in flight where they are. */
  stop(): Promise<void>;
}
