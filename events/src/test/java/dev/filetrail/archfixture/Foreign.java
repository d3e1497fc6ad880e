package dev.filetrail.archfixture;

/** Architecture-rule fixture: a class of "another module". */
public final class Foreign {
}
