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
