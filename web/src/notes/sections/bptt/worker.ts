// The BPTT section's worker.
import { serveFigures, type Compute } from '../../worker-host';
import { computeBptt } from './compute';

serveFigures({ 'bptt-unrolled': computeBptt as Compute });
