// Agent-layer error and warning codes (AGT_*). Collection never throws for partial failures:
// most of these end up as coded warnings in the report body; exec failures are thrown as errors.
import { defineErrors, type ErrorCatalog } from '../evidence/errors.ts';

export const AGT_ERRORS = {
  AGT_EXEC_NOT_FOUND: { title: 'Command not found', hint: 'The package manager tool is not installed or not on PATH.' },
  AGT_EXEC_DENIED: { title: 'Command not executable', hint: 'Check the permissions of the tool for the agent user.' },
  AGT_EXEC_TIMEOUT: { title: 'Command timed out', hint: 'The package manager may be holding a lock or waiting on the network.' },
  AGT_EXEC_OUTPUT_LIMIT: { title: 'Command output too large' },
  AGT_EXEC_FAILED: { title: 'Command could not be run' },
  AGT_NO_PACKAGE_MANAGER: { title: 'No supported package manager found', hint: 'patchproof supports dpkg (Debian/Ubuntu), rpm (RHEL family, Fedora, SUSE) and apk (Alpine).' },
  AGT_INVENTORY_FAILED: { title: 'Installed packages could not be listed' },
  AGT_INVENTORY_LINE_INVALID: { title: 'Unparseable lines in the package list were skipped' },
  AGT_INVENTORY_TRUNCATED: { title: 'The package list looks truncated' },
  AGT_INVENTORY_TOO_LARGE: { title: 'More packages than a report may carry' },
  AGT_PACKAGE_STATE_PARTIAL: { title: 'Packages in a half-installed state', hint: 'An interrupted package operation; `dpkg --configure -a` or the package manager can finish it.' },
  AGT_PENDING_FAILED: { title: 'Pending updates could not be determined', hint: 'Refresh the package lists (apt-get update / dnf makecache) as root; the agent only reads them.' },
  AGT_PENDING_LINE_INVALID: { title: 'Unparseable pending-update lines were skipped' },
  AGT_ADVISORIES_FAILED: { title: 'Update advisories could not be read' },
  AGT_LOG_MISSING: { title: 'Package manager log not found' },
  AGT_LOG_UNREADABLE: { title: 'Package manager log unreadable', hint: 'Give the agent user read access (e.g. group adm) to the log.' },
  AGT_LOG_LINE_INVALID: { title: 'Unparseable log lines were skipped' },
  AGT_HISTORY_TRUNCATED: { title: 'Too many history events; the oldest were dropped' },
  AGT_HOST_FACT_UNAVAILABLE: { title: 'A host fact could not be read' },
  AGT_HOSTNAME_SANITIZED: { title: 'Hostname rewritten to the allowed characters' },
  AGT_KERNEL_UNKNOWN: { title: 'Kernel state could not be determined' },
  AGT_OPTION_INVALID: { title: 'Unknown option', hint: 'A programming error: check the option names against the exported options interface.' },
  AGT_WARNINGS_TRUNCATED: { title: 'Too many warnings; the rest were dropped' },
} as const satisfies ErrorCatalog;

export type AgtCode = keyof typeof AGT_ERRORS;

export const agtError = defineErrors(AGT_ERRORS);
