// Worker thread for verify-signatures.ts: reads blobs from its own object reader and checks its
// share of detached signatures against the candidate keys, posting progress as it goes.
import { parentPort, workerData } from 'node:worker_threads';
import { ObjectDb } from './git-odb.ts';
import { candidateVerifier, verifyJobs, type CandidateKey, type SignatureJob } from './verify-signatures.ts';

const { gitdir, keys, jobs } = workerData as { gitdir: string; keys: CandidateKey[]; jobs: SignatureJob[] };
const odb = new ObjectDb(gitdir);
const results = await verifyJobs(odb, candidateVerifier(keys), jobs, (n) => parentPort!.postMessage({ progress: n }));
odb.close();
parentPort!.postMessage({ results });
