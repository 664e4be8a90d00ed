"""`make cluster-drill`: the portal on several machines, each a network namespace on this one.

See README.md here and docs/adr/0036-cluster-drill-in-network-namespaces.md.
"""
