namespace Weft.Models;
