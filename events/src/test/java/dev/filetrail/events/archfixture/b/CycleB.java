package dev.filetrail.events.archfixture.b;

import dev.filetrail.events.archfixture.a.CycleA;

/** Architecture-rule fixture: imports package a back. */
public final class CycleB {
    public CycleA back() {
        return new CycleA();
    }
}
