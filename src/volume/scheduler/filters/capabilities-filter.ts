import { matchesExtraSpec } from '../../../common/scheduling/extra-specs-ops.js';
import { PASS, reject, type BackendFilter } from './filter.js';

/** Extra specs that are not requirements on the backend (Cinder skips scoped keys other than `capabilities:`). */
function requirementKey(key: string): string | undefined {
  const colon = key.indexOf(':');
  if (colon < 0) return key;
  return key.slice(0, colon) === 'capabilities' ? key.slice(colon + 1) : undefined;
}

/**
 * Cinder's CapabilitiesFilter: every extra spec of the volume type (unscoped or `capabilities:`)
 * must match the backend's reported capability of that name, with Nova's and Cinder's operator
 * grammar (`<is> True`, `>= 10`, `<in> ssd` …); `volume_backend_name` is how a type picks a backend.
 */
export const capabilitiesFilter: BackendFilter = {
  name: 'CapabilitiesFilter',
  backendPasses: (backend, spec) => {
    for (const [key, requirement] of Object.entries(spec.extraSpecs)) {
      const name = requirementKey(key);
      if (name === undefined) continue;
      const value = backend.capabilities[name];
      if (value === undefined) return reject(`no capability ${name}`);
      const text = typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
      const isMatch = requirement.startsWith('<is>') ? text.toLowerCase() === requirement.slice(4).trim().toLowerCase() : matchesExtraSpec(text, requirement);
      if (!isMatch) return reject(`capability ${name} is ${text}, the type wants ${requirement}`);
    }
    return PASS;
  },
};
