package dev.filetrail.events.archfixture.a;

import dev.filetrail.archfixture.Foreign;
import dev.filetrail.events.archfixture.b.CycleB;

/** Architecture-rule fixture: imports package b (which imports a back) and another module. */
public final class CycleA {
    public CycleB next() {
        return new CycleB();
    }

    public Foreign foreign() {
        return new Foreign();
    }
}
