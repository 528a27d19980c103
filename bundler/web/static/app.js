// Starts GOV.UK Frontend's components (error summary focus, radios, file drop zones...).
import { initAll } from './govuk/govuk-frontend.min.js'

initAll()
