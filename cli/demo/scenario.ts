// The demo fleet as pure data: ~40 hosts on four distributions, how each one patches, and the
// admin events of the period (owners, exceptions, a decommission). Days count from
// DEMO_WINDOW_START (day 0 = 2026-04-01); every scenario element the docs promise is named here.
import type { RepoDistro } from './package-repo.ts';

export interface HostPlan {
  hostname: string;
  distro: RepoDistro;
  /** Window days on which the host runs a full upgrade (dnf upgrade, apt-get upgrade, apk upgrade). */
  patchDays: readonly number[];
  /** Hour of day (UTC) the upgrade runs. */
  patchHour: number;
  /** Source packages the host never upgrades (pinned, held back). */
  holds?: readonly string[];
  /** Kernel updates are followed by a reboot, up to (not including) this day; default: always. */
  rebootUntilDay?: number;
  /** Day the agent is installed and enrols (default -1: the evening before the window opens). */
  enrolDay?: number;
  /** The agent's last day: it stops reporting after this day (forgotten or decommissioned). */
  lastDay?: number;
  /** Starts with the distribution's release versions of sshd and sudo (an old image). */
  legacyImage?: boolean;
  meta: HostMetaPlan | null;
  /** Which scenario element this host demonstrates, for docs/demo.md and the progress output. */
  story?: string;
}

export interface HostMetaPlan {
  owner: string | null;
  purpose: string;
  classification: 'restricted' | 'confidential' | 'internal' | 'public';
  environment: string;
  frameworks: readonly ('soc2' | 'iso27001' | 'pci-dss' | 'hipaa')[];
  tags?: readonly string[];
}

export interface ExceptionPlan {
  id: string;
  /** Day the request is committed (approver null). */
  requestDay: number;
  /** Day the approval is committed; null = never approved. */
  approveDay: number | null;
  hostnames: readonly string[];
  advisories?: readonly string[];
  packages?: readonly string[];
  record: {
    title: string;
    reason: string;
    risk_assessment: { likelihood: 'low' | 'medium' | 'high'; impact: 'low' | 'medium' | 'high'; summary: string };
    compensating_controls: readonly string[];
    planned_remediation: string;
    expires: string;
    requested_by: string;
    approver: string;
    ticket?: string;
  };
}

export interface AdminEventPlan {
  day: number;
  hour: number;
  kind: 'decommission';
  hostname: string;
  /** YYYY-MM-DD written to meta.yaml decommissioned_at. */
  date: string;
}

/** Every n days from `first` up to the window's end (day 182). */
export function every(n: number, first: number, last = 182): number[] {
  const out: number[] = [];
  for (let d = first; d <= last; d += n) out.push(d);
  return out;
}

const PCI: HostMetaPlan['frameworks'] = ['soc2', 'iso27001', 'pci-dss'];
const SOC: HostMetaPlan['frameworks'] = ['soc2', 'iso27001'];
const meta = (owner: string | null, purpose: string, classification: HostMetaPlan['classification'], frameworks = SOC, environment = 'production'): HostMetaPlan => ({
  owner, purpose, classification, environment, frameworks,
});

export const DEMO_SEED = 20260401;
export const DEMO_ORG = 'Example Payments Ltd (simulated)';

export const FLEET: readonly HostPlan[] = [
  // AlmaLinux 9: the payment platform. Weekly patching keeps it inside the SLA…
  ...[1, 2, 3, 4].map((i): HostPlan => ({
    hostname: `alma-web-0${i}`, distro: 'almalinux-9', patchDays: every(7, 1 + (i % 2)), patchHour: 2 + i * 0.25,
    meta: meta('team-web', 'public checkout front end', 'confidential', PCI),
    ...(i === 1 ? { story: 'on-time patching: weekly dnf upgrade, every fix inside the SLA (fixed-in-sla)' } : {}),
  })),
  { hostname: 'alma-app-01', distro: 'almalinux-9', patchDays: every(7, 3), patchHour: 3, meta: meta('team-payments', 'payment API', 'restricted', PCI) },
  { hostname: 'alma-app-02', distro: 'almalinux-9', patchDays: every(7, 3), patchHour: 3.5, meta: meta('team-payments', 'payment API', 'restricted', PCI) },
  {
    hostname: 'alma-app-03', distro: 'almalinux-9', patchDays: every(7, 4), patchHour: 3, rebootUntilDay: 130,
    meta: meta('team-payments', 'settlement worker', 'restricted', PCI),
    story: 'kernel installed but never rebooted: from mid-August the new kernel sits on disk, the old one runs (reboot debt, kernel advisory open)',
  },
  // …monthly and "when someone remembers" patching does not.
  {
    hostname: 'alma-db-01', distro: 'almalinux-9', patchDays: every(28, 10), patchHour: 22, meta: meta('team-data', 'PostgreSQL primary', 'restricted', PCI),
    story: 'monthly maintenance window: moderate fixes in time, important ones late under the revised policy',
  },
  { hostname: 'alma-db-02', distro: 'almalinux-9', patchDays: [40, 95, 150], patchHour: 23, meta: meta('team-data', 'PostgreSQL replica', 'restricted', PCI), story: 'late patching: upgrades only every few months (fixed-late)' },
  { hostname: 'alma-db-03', distro: 'almalinux-9', patchDays: every(28, 12), patchHour: 22, meta: meta('team-data', 'analytics warehouse', 'confidential') },
  { hostname: 'alma-batch-01', distro: 'almalinux-9', patchDays: every(14, 6), patchHour: 1, meta: meta(null, 'nightly batch jobs', 'internal'), story: 'no owner recorded in meta.yaml (missing-owner)' },
  { hostname: 'alma-jump-01', distro: 'almalinux-9', patchDays: every(7, 2), patchHour: 6, meta: meta('team-infra', 'bastion host', 'restricted', PCI) },
  { hostname: 'alma-mon-01', distro: 'almalinux-9', patchDays: every(14, 5), patchHour: 4, meta: meta('team-infra', 'monitoring', 'internal') },
  { hostname: 'alma-mon-02', distro: 'almalinux-9', patchDays: every(14, 12), patchHour: 4, meta: meta('team-infra', 'monitoring', 'internal') },

  // Debian 12: build, mail, VPN and a database under an exception.
  ...[1, 2, 3].map((i): HostPlan => ({
    hostname: `deb-build-0${i}`, distro: 'debian-12', patchDays: every(7, i), patchHour: 5, meta: meta('team-platform', 'CI build runner', 'internal'),
  })),
  {
    hostname: 'deb-build-04', distro: 'debian-12', patchDays: every(7, 4, 104), patchHour: 5, lastDay: 104, meta: meta('team-platform', 'CI build runner (retired)', 'internal'),
    story: 'decommissioned on 2026-07-15 by an admin commit (meta.yaml decommissioned_at); its agent stops the same day',
  },
  {
    hostname: 'deb-db-01', distro: 'debian-12', patchDays: every(14, 8), patchHour: 23, holds: ['postgresql-15'],
    meta: meta('team-data', 'PostgreSQL 15 for the back office', 'restricted', PCI),
    story: 'exception EXC-0001 for the PostgreSQL fix, approved, expired on 2026-07-31; the package is still held (exception-expired)',
  },
  { hostname: 'deb-db-02', distro: 'debian-12', patchDays: every(14, 9), patchHour: 23, meta: meta('team-data', 'PostgreSQL 15 replica', 'restricted', PCI) },
  { hostname: 'deb-mail-01', distro: 'debian-12', patchDays: every(30, 15), patchHour: 21, meta: meta('team-infra', 'outbound mail relay', 'internal') },
  { hostname: 'deb-vpn-01', distro: 'debian-12', patchDays: every(7, 6), patchHour: 4, meta: meta('team-infra', 'VPN gateway', 'restricted', PCI) },
  { hostname: 'deb-ci-01', distro: 'debian-12', patchDays: every(21, 11), patchHour: 12, meta: null, story: 'enrolled but nobody wrote its meta.yaml: no owner, no classification' },
  { hostname: 'deb-ci-02', distro: 'debian-12', patchDays: every(21, 13), patchHour: 12, meta: meta('team-platform', 'CI coordinator', 'internal') },

  // Ubuntu 24.04: web and Kubernetes nodes, plus two built from an old image.
  ...[1, 2, 3, 4, 5].map((i): HostPlan => ({
    hostname: `ubu-web-0${i}`, distro: 'ubuntu-24.04', patchDays: every(7, i), patchHour: 2, meta: meta('team-web', 'marketing site', 'public'),
  })),
  ...[1, 2, 3].map((i): HostPlan => ({
    hostname: `ubu-k8s-0${i}`, distro: 'ubuntu-24.04', patchDays: every(7, 2 + i), patchHour: 1, meta: meta('team-platform', 'Kubernetes worker', 'confidential', PCI),
  })),
  {
    hostname: 'ubu-legacy-01', distro: 'ubuntu-24.04', patchDays: [], patchHour: 0, legacyImage: true, lastDay: 67,
    meta: meta('team-web', 'old reporting server', 'confidential'),
    story: 'the forgotten server: built from the 24.04 release image (regreSSHion and sudo fixes missing), stops reporting after 2026-06-07 (stale-host)',
  },
  {
    hostname: 'ubu-ci-02', distro: 'ubuntu-24.04', patchDays: [23, ...every(30, 53)], patchHour: 14, legacyImage: true,
    meta: meta('team-platform', 'CI runner', 'internal'),
    story: 'old image patched three weeks into the period: year-old sshd and sudo fixes applied late (fixed-late)',
  },

  // Alpine 3.22: edge proxies and DNS.
  ...[1, 2, 3, 4].map((i): HostPlan => ({
    hostname: `alp-edge-0${i}`, distro: 'alpine-3.22', patchDays: every(10, i), patchHour: 3,
    ...(i === 3 ? { holds: ['openssl'], story: 'approved exception EXC-0002 (vendor-certified OpenSSL build), approved 2026-07-10, valid until 2026-10-08 (excepted)' } : {}),
    meta: meta('team-edge', 'TLS edge proxy', 'confidential', PCI),
  })),
  { hostname: 'alp-dns-01', distro: 'alpine-3.22', patchDays: every(10, 5), patchHour: 3, meta: meta('team-infra', 'resolver', 'internal') },
  {
    hostname: 'alp-dns-02', distro: 'alpine-3.22', patchDays: every(10, 6), patchHour: 3, holds: ['busybox'], meta: meta('team-infra', 'resolver', 'internal'),
    story: 'exception EXC-0003 requested but never approved: it excuses nothing (open-overdue)',
  },
];

/** The machine running the demo joins the fleet on the last day, reporting its real packages. */
export const REAL_HOST_ENROL_DAY = 182;

export const EXCEPTIONS: readonly ExceptionPlan[] = [
  {
    id: 'EXC-0001', requestDay: 78, approveDay: 79, hostnames: ['deb-db-01'], packages: ['postgresql-15'],
    record: {
      title: 'Hold PostgreSQL 15 minor update on the back-office database until the vendor certifies it',
      reason: 'The back-office ERP vendor certifies each PostgreSQL minor release; 15.20 is not certified yet.',
      risk_assessment: { likelihood: 'low', impact: 'high', summary: 'The database only accepts connections from the ERP application servers.' },
      compensating_controls: ['pg_hba.conf restricts clients to the two ERP servers', 'Network policy denies all other ingress'],
      planned_remediation: '2026-07-31', expires: '2026-07-31', requested_by: 'Priya Nair (team-data)', approver: 'Dana Kim (CISO)', ticket: 'CHG-2291',
    },
  },
  {
    id: 'EXC-0002', requestDay: 99, approveDay: 100, hostnames: ['alp-edge-03'], packages: ['openssl'],
    record: {
      title: 'Keep the certified OpenSSL build on the HSM-attached edge proxy until the vendor ships a new one',
      reason: 'The proxy links the HSM vendor\'s certified OpenSSL build; replacing it voids the certification.',
      risk_assessment: { likelihood: 'low', impact: 'medium', summary: 'The affected code path (CMS decryption) is not used by the proxy.' },
      compensating_controls: ['WAF rule set blocks the known exploit pattern', 'Proxy runs as an unprivileged user in a read-only container'],
      planned_remediation: '2026-09-30', expires: '2026-10-08', requested_by: 'Tom Weber (team-edge)', approver: 'Dana Kim (CISO)', ticket: 'RISK-104',
    },
  },
  {
    id: 'EXC-0003', requestDay: 70, approveDay: null, hostnames: ['alp-dns-02'], packages: ['busybox'],
    record: {
      title: 'Defer the busybox update on the secondary resolver',
      reason: 'The resolver image is rebuilt quarterly; the team asked to wait for the next rebuild.',
      risk_assessment: { likelihood: 'medium', impact: 'low', summary: 'Local-only issue; no interactive users on the host.' },
      compensating_controls: ['No shell accounts besides the automation user'],
      planned_remediation: '2026-09-01', expires: '2026-09-08', requested_by: 'Lee Chen (team-infra)', approver: 'Dana Kim (CISO)',
    },
  },
];

export const ADMIN_EVENTS: readonly AdminEventPlan[] = [
  { day: 105, hour: 10, kind: 'decommission', hostname: 'deb-build-04', date: '2026-07-15' },
];
