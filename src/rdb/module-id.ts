// Module type ids (module.c moduleTypeNameByID): a 64-bit value whose bits 63..10 hold a 9-character
// name, 6 bits per character (most significant first) from the set below, and bits 9..0 the
// module's encoding version.
const CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export interface ModuleId {
  /** The 9-character type name, e.g. "ReJSON-RL". */
  name: string;
  /** The full id as decimal text (it does not fit a double). */
  id: string;
  encver: number;
}

export function decodeModuleId(id: bigint): ModuleId {
  let name = '';
  let rest = id >> 10n;
  for (let j = 0; j < 9; j++) {
    name = (CHARSET[Number(rest & 63n)] as string) + name;
    rest >>= 6n;
  }
  return { name, id: id.toString(), encver: Number(id & 1023n) };
}
