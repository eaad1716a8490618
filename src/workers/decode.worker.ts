import * as Comlink from 'comlink';
import { createDecodeApi } from './decode-api';

Comlink.expose(createDecodeApi());
