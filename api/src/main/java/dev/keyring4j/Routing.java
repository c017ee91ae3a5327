package dev.keyring4j;

import java.util.List;

/**
 * Where a chain sends each kind of write, computed from its members' capabilities alone: the one rule
 * {@link ChainStore} follows and {@link Keyring#diagnose()} reports, so the report cannot drift from
 * what the chain does. Indexes are positions in the member list; -1 means none.
 *
 * @param persistentTarget a write without a ttl: the first writable persistent member, else the first writable one
 * @param expiryTarget     a write with a ttl: the first writable member with expiry
 */
record Routing(int persistentTarget, int expiryTarget) {

    static Routing of(List<Capabilities> members) {
        int persistent = -1;
        int writable = -1;
        int expiry = -1;
        for (int i = 0; i < members.size(); i++) {
            Capabilities c = members.get(i);
            if (!c.writable()) continue;
            if (writable < 0) writable = i;
            if (persistent < 0 && c.persistent()) persistent = i;
            if (expiry < 0 && c.expiry()) expiry = i;
        }
        return new Routing(persistent >= 0 ? persistent : writable, expiry);
    }
}
