import { Type, type Static } from '@sinclair/typebox';

// POST /v3/auth/tokens, as Keystone's schema (keystone/auth/schema.py) accepts it: strict where
// Keystone is strict, open where plugins may carry more.

const NameOrId = Type.Object({ id: Type.Optional(Type.String()), name: Type.Optional(Type.String()) });

const PasswordUser = Type.Object({
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  password: Type.String(),
  domain: Type.Optional(NameOrId),
});

/** keystone/auth/plugins/core.py AppCredInfo: by id, or by name with its user (id, or name and domain). */
const ApplicationCredentialIdentity = Type.Object({
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  secret: Type.String(),
  user: Type.Optional(Type.Object({ id: Type.Optional(Type.String()), name: Type.Optional(Type.String()), domain: Type.Optional(NameOrId) })),
});

const ProjectScope = Type.Object({
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  domain: Type.Optional(NameOrId),
});

export const AuthRequestSchema = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String(), { minItems: 1 }),
      password: Type.Optional(Type.Object({ user: PasswordUser })),
      token: Type.Optional(Type.Object({ id: Type.String() })),
      application_credential: Type.Optional(ApplicationCredentialIdentity),
    }),
    scope: Type.Optional(
      Type.Union([
        Type.Literal('unscoped'),
        Type.Object({
          project: Type.Optional(ProjectScope),
          domain: Type.Optional(NameOrId),
          system: Type.Optional(Type.Object({ all: Type.Boolean() })),
          'OS-TRUST:trust': Type.Optional(Type.Object({ id: Type.Optional(Type.String()) })),
        }),
      ]),
    ),
  }),
});

export type AuthRequest = Static<typeof AuthRequestSchema>;
export type PasswordUserRef = Static<typeof PasswordUser>;
export type ProjectScopeRef = Static<typeof ProjectScope>;
export type NameOrIdRef = Static<typeof NameOrId>;
export type ApplicationCredentialIdentityRef = Static<typeof ApplicationCredentialIdentity>;
