/** Cinder's QoS specs (cinder/volume/qos_specs.py): key/value limits for a consumer, associated with volume types. */
export const QOS_CONSUMERS = ['front-end', 'back-end', 'both'] as const;
export type QosConsumer = (typeof QOS_CONSUMERS)[number];

export interface QosSpecs {
  readonly id: string;
  readonly name: string;
  readonly consumer: QosConsumer;
  readonly specs: Readonly<Record<string, string>>;
  readonly createdAt: Date;
}
