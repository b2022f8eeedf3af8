// The vanishing/exploding section's worker.
import { serveFigures, type Compute } from '../../worker-host';
import { computeGates, computeLinear } from './compute';

serveFigures({ 'vanishing-linear': computeLinear as Compute, 'vanishing-gates': computeGates as Compute });
