// The vanishing/exploding section's worker.
import { serveFigures, type Compute } from '../../worker-host';
import { computeLinear } from './compute';

serveFigures({ 'vanishing-linear': computeLinear as Compute });
