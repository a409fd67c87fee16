// Provider tests: one file per cloud, each against its emulated cloud over loopback HTTP.
import Testing
