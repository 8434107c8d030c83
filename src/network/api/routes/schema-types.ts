import { Type } from '@sinclair/typebox';

/** Neutron's name and description: strings of at most 255 characters. */
export const Name = Type.String({ maxLength: 255 });
export const Description = Type.String({ maxLength: 255 });
export const ProjectId = Type.String({ maxLength: 255 });
export const Uuid = Type.String({ format: 'uuid' });

/** The attributes every create body may carry: the owner under either name, name, description. */
export const OWNED = {
  project_id: Type.Optional(ProjectId),
  tenant_id: Type.Optional(ProjectId),
  name: Type.Optional(Name),
  description: Type.Optional(Description),
};

/** Neutron's non-negative integers pass convert_to_int: a number or its digits as a string (`openstack subnet create --prefix-length 27` sends "27"). */
export const IntegerLike = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]{1,9}$' })]);

/** The number an IntegerLike attribute holds, or undefined when it is absent. */
export function integerOf(value: number | string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}
