// The vanishing/exploding section's worker.
import { serveFigures, type Compute } from '../../worker-host';
import { computeGates, computeLinear, computeTrained } from './compute';

serveFigures({ 'vanishing-linear': computeLinear as Compute, 'vanishing-gates': computeGates as Compute, 'vanishing-trained': computeTrained as Compute });
