# The base the series is built and tested against.  The series targets
# the 7.2 stable line; KERNEL_BASE is what any tree must report, the
# Debian package version is the exact tree the README's figures come from.
KERNEL_BASE := 7.2
DEBIAN_SOURCE_PKG := linux-source-7.2
DEBIAN_SOURCE_VERSION := 7.2.12-1
# Suites that carry a 7.2 linux-source and virtme-ng (bookworm has neither).
NEWER_SUITES := forky sid
